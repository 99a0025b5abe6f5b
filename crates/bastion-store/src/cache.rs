//! Small per-node caches for the people list: the unit tree (paths) and list totals. Any write
//! transaction begun on this node clears them. Unit paths expire after a few seconds; a total
//! older than that is still served while one background query refreshes it (stale-while-
//! revalidate), so a write on another node shows within a few seconds and no request waits on a
//! count over 100,000 rows once it has been computed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(3);

/// Unit ids and their paths.
pub type UnitPaths = Arc<Vec<(i64, String)>>;

/// How long a session read from the database is trusted on this node. A change made on this node
/// (sign-out, account disabled, roles or password changed, second factor passed) takes effect at
/// once; one made on another node within this time.
pub const SESSION_TTL: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct Caches {
    generation: AtomicU64,
    /// Bumped by every write to accounts or sessions (not by other writes).
    session_generation: AtomicU64,
    sessions: Mutex<HashMap<String, (u64, Instant, crate::auth::SessionRow)>>,
    units: Mutex<Option<(u64, Instant, UnitPaths)>>,
    counts: Mutex<HashMap<String, (u64, Instant, i64)>>,
    refreshing: Mutex<std::collections::HashSet<String>>,
    /// The audit chain's head as this node last wrote it: a guess that saves the batch writers a
    /// read; every use checks it against the stored head.
    audit_head: Mutex<Option<(i64, String)>>,
}

/// A cached total: fresh, or older than the TTL (serve it, refresh in the background).
pub enum Cached {
    Fresh(i64),
    Stale(i64),
}

impl Caches {
    pub fn audit_head(&self) -> Option<(i64, String)> {
        self.audit_head.lock().ok()?.clone()
    }

    pub fn set_audit_head(&self, head: Option<(i64, String)>) {
        if let Ok(mut g) = self.audit_head.lock() {
            *g = head;
        }
    }

    /// Drop every cached session (an account or session changed on this node).
    pub fn forget_sessions(&self) {
        self.session_generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut g) = self.sessions.lock() {
            g.clear();
        }
    }

    pub fn session_generation(&self) -> u64 {
        self.session_generation.load(Ordering::SeqCst)
    }

    /// A session read from the database less than [`SESSION_TTL`] ago and not changed since.
    pub fn session(&self, token_hash: &str) -> Option<crate::auth::SessionRow> {
        let g = self.sessions.lock().ok()?;
        let (gen, at, row) = g.get(token_hash)?;
        (*gen == self.session_generation() && at.elapsed() < SESSION_TTL).then(|| row.clone())
    }

    /// Remember a session read at session generation `gen` (taken before the query).
    pub fn put_session(&self, gen: u64, token_hash: &str, row: crate::auth::SessionRow) {
        if let Ok(mut g) = self.sessions.lock() {
            if g.len() > 10_000 {
                g.retain(|_, (_, at, _)| at.elapsed() < SESSION_TTL);
            }
            if gen == self.session_generation() {
                g.insert(token_hash.to_string(), (gen, Instant::now(), row));
            }
        }
    }

    /// Note that a cached session's idle timer was just refreshed in the database.
    pub fn touched_session(&self, token_hash: &str, at_ms: i64) {
        if let Ok(mut g) = self.sessions.lock() {
            if let Some((_, _, row)) = g.get_mut(token_hash) {
                row.last_seen_at = at_ms;
            }
        }
    }

    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn fresh(&self, gen: u64, at: Instant) -> bool {
        gen == self.generation.load(Ordering::SeqCst) && at.elapsed() < TTL
    }

    pub fn units(&self) -> Option<UnitPaths> {
        let g = self.units.lock().ok()?;
        g.as_ref().filter(|(gen, at, _)| self.fresh(*gen, *at)).map(|(_, _, v)| v.clone())
    }

    /// Remember units read at generation `gen` (read before the query, so a write during the
    /// query leaves the entry already stale).
    pub fn put_units(&self, gen: u64, v: UnitPaths) {
        if let Ok(mut g) = self.units.lock() {
            *g = Some((gen, Instant::now(), v));
        }
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// A total computed since the last local write; `Stale` once older than the TTL (another
    /// node may have written since).
    pub fn count(&self, key: &str) -> Option<Cached> {
        let g = self.counts.lock().ok()?;
        let (gen, at, n) = g.get(key)?;
        if *gen != self.generation.load(Ordering::SeqCst) {
            return None;
        }
        Some(if at.elapsed() < TTL { Cached::Fresh(*n) } else { Cached::Stale(*n) })
    }

    /// Claim the background refresh of `key`; false when another request already has it.
    pub fn claim_refresh(&self, key: &str) -> bool {
        self.refreshing.lock().map(|mut r| r.insert(key.to_string())).unwrap_or(false)
    }

    pub fn release_refresh(&self, key: &str) {
        if let Ok(mut r) = self.refreshing.lock() {
            r.remove(key);
        }
    }

    pub fn put_count(&self, gen: u64, key: String, n: i64) {
        if let Ok(mut g) = self.counts.lock() {
            if g.len() > 10_000 {
                g.clear();
            }
            g.insert(key, (gen, Instant::now(), n));
        }
    }
}
