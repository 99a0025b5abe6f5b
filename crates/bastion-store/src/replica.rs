//! An optional PostgreSQL read replica (a streaming standby of the primary) for read-only work:
//! the dashboard, the public news site, lists and exports. The use case asks for
//! [`Store::for_reads`]; everything else — writes, and reads that must see the caller's own write
//! (sessions, the page after a form) — stays on the primary.
//!
//! Every node checks the replica about once a second ([`Store::check_replica`]): how far its replay
//! is behind the primary. A replica that lags more than the allowed time, or does not answer, is
//! not used until it has caught up: reads go to the primary and `/readyz` and `/metrics` say so.
//! A replica in use is therefore at most the allowed lag plus one check behind.

use std::sync::atomic::{AtomicI64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};

use crate::db::{redact, Backend, Store, StoreError, StoreResult};

/// How a replica stands at its last check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ReplicaState {
    /// None configured.
    None = 0,
    /// Caught up within the allowed lag: reads go to it.
    Ok = 1,
    /// Behind by more than the allowed lag: reads go to the primary.
    Lagging = 2,
    /// Did not answer: reads go to the primary.
    Down = 3,
}

impl ReplicaState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicaState::None => "none",
            ReplicaState::Ok => "ok",
            ReplicaState::Lagging => "lagging",
            ReplicaState::Down => "down",
        }
    }
    fn from_u8(v: u8) -> Self {
        match v {
            1 => ReplicaState::Ok,
            2 => ReplicaState::Lagging,
            3 => ReplicaState::Down,
            _ => ReplicaState::None,
        }
    }
}

/// The replica's last check: its state and how far behind it was (ms; -1 when unknown: down, or
/// behind without having replayed anything since it started).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaStatus {
    pub state: ReplicaState,
    pub lag_ms: i64,
}

pub(crate) struct Replica {
    pool: AnyPool,
    url: String,
    max_lag_ms: i64,
    /// Until the first check it is not trusted.
    state: AtomicU8,
    lag_ms: AtomicI64,
    /// Its own caches: what it read must never be served as the primary's.
    caches: Arc<crate::cache::Caches>,
}

/// Connections per node to the replica.
const REPLICA_READERS: u32 = 12;
/// A check that takes longer than this counts the replica as down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// `X/Y` (a WAL position as PostgreSQL prints it) as a byte offset.
fn lsn(text: &str) -> Option<u64> {
    let (hi, lo) = text.split_once('/')?;
    Some((u64::from_str_radix(hi, 16).ok()? << 32) | u64::from_str_radix(lo, 16).ok()?)
}

impl Store {
    /// Attach a read replica. Refused with a message naming `read_database` when the main database
    /// is SQLite, the replica cannot be reached, holds another database (its first migration was
    /// applied at another moment), is on another schema version, or is not a standby (the primary
    /// itself). `max_lag_ms`: beyond this the replica is not used.
    pub async fn attach_replica(&self, url: &str, max_lag_ms: i64) -> StoreResult<()> {
        let open_err = |why: String| StoreError::Open(format!("只读副本 read_database（{}）{why}", redact(url)));
        if self.backend != Backend::Postgres {
            return Err(open_err("只能用于 PostgreSQL：主库是 SQLite 时不能配置只读副本".into()));
        }
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(open_err("须为 postgres:// 开头的 PostgreSQL 地址".into()));
        }
        let pool = AnyPoolOptions::new()
            .max_connections(REPLICA_READERS)
            .acquire_timeout(Duration::from_secs(3))
            .connect(url)
            .await
            .map_err(|e| open_err(format!("无法连接：{e}")))?;
        // The same database: the same schema version, and the same moment its first migration was
        // applied (another database migrated by the same Bastion differs there).
        let identity = |p: AnyPool| async move {
            sqlx::query(
                "SELECT (SELECT MAX(version) FROM _sqlx_migrations) AS v, \
                 (SELECT CAST(EXTRACT(EPOCH FROM installed_on) * 1000000 AS BIGINT) FROM _sqlx_migrations \
                  WHERE version = 1) AS born",
            )
            .fetch_one(&p)
            .await
            .and_then(|r| Ok((r.try_get::<Option<i64>, _>("v")?, r.try_get::<Option<i64>, _>("born")?)))
        };
        let theirs =
            identity(pool.clone()).await.map_err(|e| open_err(format!("读不到结构版本（不是本库的副本？）：{e}")))?;
        let ours = identity(self.write.clone()).await?;
        if theirs.1 != ours.1 {
            return Err(open_err("不是本库（database）的副本：它是另一个数据库".into()));
        }
        if theirs.0 != ours.0 {
            return Err(open_err(format!(
                "的结构版本 {} 与主库的 {} 不同：复制已中断或尚未追上",
                theirs.0.unwrap_or(0),
                ours.0.unwrap_or(0)
            )));
        }
        let standby: bool = sqlx::query("SELECT pg_is_in_recovery() AS s")
            .fetch_one(&pool)
            .await
            .and_then(|r| r.try_get("s"))
            .map_err(|e| open_err(format!("无法查询复制状态：{e}")))?;
        if !standby {
            return Err(open_err(
                "不是备库（pg_is_in_recovery() 为假）：它像是主库本身，只读副本须为流复制备库".into(),
            ));
        }
        let replica = Replica {
            pool,
            url: url.to_string(),
            max_lag_ms,
            state: AtomicU8::new(3),
            lag_ms: AtomicI64::new(-1),
            caches: Arc::default(),
        };
        if self.replica.set(replica).is_err() {
            return Err(open_err("已配置过".into()));
        }
        self.check_replica().await;
        Ok(())
    }

    /// This store for read-only work: reading from the replica when one is configured and caught
    /// up (its `url` is then the replica's), else this store itself. Writes through it still go to
    /// the primary.
    pub fn for_reads(&self) -> Store {
        match self.replica.get() {
            Some(r) if ReplicaState::from_u8(r.state.load(Ordering::Relaxed)) == ReplicaState::Ok => {
                let mut s = self.clone();
                s.read = r.pool.clone();
                s.url = r.url.clone();
                s.caches = r.caches.clone();
                s
            }
            _ => self.clone(),
        }
    }

    /// The replica's state at its last check.
    pub fn replica_status(&self) -> ReplicaStatus {
        match self.replica.get() {
            None => ReplicaStatus { state: ReplicaState::None, lag_ms: 0 },
            Some(r) => ReplicaStatus {
                state: ReplicaState::from_u8(r.state.load(Ordering::Relaxed)),
                lag_ms: r.lag_ms.load(Ordering::Relaxed),
            },
        }
    }

    /// Measure the replica's lag and decide whether it is used. Caught up (its replay has reached
    /// the primary's WAL position) counts as 0; otherwise the lag is the time since the last
    /// transaction it replayed, so a paused or broken replay grows without bound.
    pub async fn check_replica(&self) -> ReplicaStatus {
        let Some(r) = self.replica.get() else { return self.replica_status() };
        let measured = tokio::time::timeout(CHECK_TIMEOUT, async {
            let primary: String =
                sqlx::query("SELECT pg_current_wal_lsn()::text AS l").fetch_one(&self.read).await?.try_get("l")?;
            let row = sqlx::query(
                "SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS l, \
                 CAST(EXTRACT(EPOCH FROM (clock_timestamp() - pg_last_xact_replay_timestamp())) * 1000 AS BIGINT) AS behind",
            )
            .fetch_one(&r.pool)
            .await?;
            let standby: bool = row.try_get("standby")?;
            let replayed: Option<String> = row.try_get("l")?;
            let behind: Option<i64> = row.try_get("behind")?;
            Ok::<_, sqlx::Error>((primary, standby, replayed, behind))
        })
        .await;
        let (state, lag) = match measured {
            Ok(Ok((_, false, _, _))) => (ReplicaState::Down, -1),
            Ok(Ok((primary, true, replayed, behind))) => {
                let caught_up =
                    matches!((lsn(&primary), replayed.as_deref().and_then(lsn)), (Some(p), Some(q)) if q >= p);
                // Behind with nothing replayed since it started: how far is unknown (-1), not usable.
                let lag = if caught_up { 0 } else { behind.map_or(-1, |b| b.max(0)) };
                (if (0..=r.max_lag_ms).contains(&lag) { ReplicaState::Ok } else { ReplicaState::Lagging }, lag)
            }
            Ok(Err(e)) => {
                tracing::debug!(replica = %redact(&r.url), error = %e, "replica check failed");
                (ReplicaState::Down, -1)
            }
            Err(_) => (ReplicaState::Down, -1),
        };
        let before = ReplicaState::from_u8(r.state.swap(state as u8, Ordering::Relaxed));
        r.lag_ms.store(lag, Ordering::Relaxed);
        if before != state {
            match state {
                ReplicaState::Ok => tracing::info!(replica = %redact(&r.url), "read replica in use"),
                _ => tracing::warn!(
                    replica = %redact(&r.url),
                    state = state.as_str(),
                    lag_ms = lag,
                    "read replica not used: reads go to the primary"
                ),
            }
        }
        ReplicaStatus { state, lag_ms: lag }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lsn_reads_both_halves() {
        assert_eq!(super::lsn("0/16B3748"), Some(0x16B3748));
        assert_eq!(super::lsn("1/0"), Some(1 << 32));
        assert_eq!(super::lsn("x"), None);
        assert!(super::lsn("2/0") > super::lsn("1/FFFFFFFF"));
    }
}
