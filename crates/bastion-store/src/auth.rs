//! Accounts, database-kept sessions (so several nodes share them) and the login log.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{flag, unique, Store, StoreError, StoreResult, Tx};
use crate::org::{PersonId, UnitId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct AccountId(pub i64);

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Account {
    pub id: AccountId,
    pub username: String,
    pub display_name: String,
    pub person_id: Option<PersonId>,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_path: String,
    #[serde(skip)]
    pub password_hash: String,
    pub roles: Vec<String>,
    pub enabled: bool,
    pub must_change_password: bool,
    pub password_changed_at: i64,
    pub failed_logins: i64,
    pub locked_until: i64,
    pub last_login_at: Option<i64>,
    pub totp_enabled: bool,
    /// Encrypted TOTP secret (set at enrolment, before it is enabled).
    #[serde(skip)]
    pub totp_secret: Option<Vec<u8>>,
    #[serde(skip)]
    pub totp_last_step: i64,
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub person_id: Option<PersonId>,
    pub unit_id: UnitId,
    pub password_hash: String,
    pub roles: Vec<String>,
    pub must_change_password: bool,
}

const ACCOUNT_COLS: &str = "a.id, a.username, a.display_name, a.person_id, a.unit_id, u.name AS unit_name, \
    u.path AS unit_path, a.password_hash, a.roles, a.enabled, a.must_change_password, a.password_changed_at, \
    a.failed_logins, a.locked_until, a.last_login_at, a.totp_enabled, a.totp_secret, a.totp_last_step";

fn account_from(row: &AnyRow) -> StoreResult<Account> {
    let roles: String = row.try_get("roles")?;
    Ok(Account {
        id: AccountId(row.try_get("id")?),
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        person_id: row.try_get::<Option<i64>, _>("person_id")?.map(PersonId),
        unit_id: UnitId(row.try_get("unit_id")?),
        unit_name: row.try_get("unit_name")?,
        unit_path: row.try_get("unit_path")?,
        password_hash: row.try_get("password_hash")?,
        roles: roles.split(',').filter(|r| !r.is_empty()).map(str::to_string).collect(),
        enabled: flag(row, "enabled")?,
        must_change_password: flag(row, "must_change_password")?,
        password_changed_at: row.try_get("password_changed_at")?,
        failed_logins: row.try_get("failed_logins")?,
        locked_until: row.try_get("locked_until")?,
        last_login_at: row.try_get("last_login_at")?,
        totp_enabled: flag(row, "totp_enabled")?,
        totp_secret: row.try_get("totp_secret")?,
        totp_last_step: row.try_get("totp_last_step")?,
    })
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SessionRow {
    pub account: Account,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// `full`, or `totp` (second factor pending) or `enroll` (second factor to be set up first).
    pub stage: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LoginLogEntry {
    pub at: i64,
    pub username: String,
    pub ip: String,
    pub success: bool,
    pub message: String,
}

impl Store {
    pub async fn insert_account(&self, tx: &mut Tx, a: &NewAccount) -> StoreResult<AccountId> {
        let t = bastion_core::time::now_ms();
        let row = sqlx::query(
            "INSERT INTO accounts (username, display_name, person_id, unit_id, password_hash, roles, enabled, \
             must_change_password, password_changed_at, failed_logins, locked_until, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,1,$7,$8,0,0,$8,$8) RETURNING id",
        )
        .bind(&a.username)
        .bind(&a.display_name)
        .bind(a.person_id.map(|p| p.0))
        .bind(a.unit_id.0)
        .bind(&a.password_hash)
        .bind(a.roles.join(","))
        .bind(i64::from(a.must_change_password))
        .bind(t)
        .fetch_one(&mut **tx)
        .await
        .map_err(unique("账号", &a.username))?;
        let id: i64 = row.try_get("id")?;
        sqlx::query("INSERT INTO password_history (account_id, password_hash, created_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(&a.password_hash)
            .bind(t)
            .execute(&mut **tx)
            .await?;
        Ok(AccountId(id))
    }

    pub async fn account_by_username(&self, username: &str) -> StoreResult<Option<Account>> {
        let row = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLS} FROM accounts a JOIN units u ON u.id = a.unit_id WHERE a.username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(account_from).transpose()
    }

    pub async fn account(&self, id: AccountId) -> StoreResult<Account> {
        let row = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLS} FROM accounts a JOIN units u ON u.id = a.unit_id WHERE a.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        account_from(&row)
    }

    pub async fn accounts(&self) -> StoreResult<Vec<Account>> {
        let rows = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLS} FROM accounts a JOIN units u ON u.id = a.unit_id ORDER BY a.id"
        ))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(account_from).collect()
    }

    pub async fn set_account_enabled(&self, tx: &mut Tx, id: AccountId, enabled: bool) -> StoreResult<()> {
        self.caches.forget_sessions();
        sqlx::query("UPDATE accounts SET enabled = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(enabled))
            .bind(bastion_core::time::now_ms())
            .bind(id.0)
            .execute(&mut **tx)
            .await?;
        if !enabled {
            sqlx::query("DELETE FROM sessions WHERE account_id = $1").bind(id.0).execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// The most recent `n` password hashes of an account, the current one included.
    pub async fn recent_password_hashes(&self, id: AccountId, n: i64) -> StoreResult<Vec<String>> {
        let rows =
            sqlx::query("SELECT password_hash FROM password_history WHERE account_id = $1 ORDER BY id DESC LIMIT $2")
                .bind(id.0)
                .bind(n)
                .fetch_all(&self.read)
                .await?;
        rows.iter().map(|r| Ok(r.try_get("password_hash")?)).collect()
    }

    /// Disable every enabled account holding `role` (the bootstrap super-admin once 三员 exist).
    pub async fn disable_role_holders(&self, tx: &mut Tx, role: &str) -> StoreResult<Vec<String>> {
        let rows =
            sqlx::query("SELECT id, username, roles FROM accounts WHERE enabled = 1").fetch_all(&mut **tx).await?;
        let mut names = Vec::new();
        for r in rows {
            let roles: String = r.try_get("roles")?;
            if roles.split(',').any(|x| x == role) {
                let id: i64 = r.try_get("id")?;
                names.push(r.try_get::<String, _>("username")?);
                self.set_account_enabled(tx, AccountId(id), false).await?;
            }
        }
        Ok(names)
    }

    /// Role sets of the enabled accounts, inside a transaction.
    pub async fn enabled_role_sets(&self, tx: &mut Tx) -> StoreResult<Vec<Vec<String>>> {
        let rows = sqlx::query("SELECT roles FROM accounts WHERE enabled = 1").fetch_all(&mut **tx).await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>("roles")?.split(',').map(str::to_string).collect())).collect()
    }

    pub async fn set_password(&self, tx: &mut Tx, id: AccountId, hash: &str, must_change: bool) -> StoreResult<()> {
        self.caches.forget_sessions();
        let t = bastion_core::time::now_ms();
        sqlx::query("INSERT INTO password_history (account_id, password_hash, created_at) VALUES ($1, $2, $3)")
            .bind(id.0)
            .bind(hash)
            .bind(t)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "UPDATE accounts SET password_hash = $1, must_change_password = $2, password_changed_at = $3, \
             failed_logins = 0, locked_until = 0, updated_at = $3 WHERE id = $4",
        )
        .bind(hash)
        .bind(i64::from(must_change))
        .bind(t)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Record a failed login; lock when `max` consecutive failures are reached.
    pub async fn record_login_failure(&self, tx: &mut Tx, id: AccountId, max: i64, lock_ms: i64) -> StoreResult<i64> {
        let t = bastion_core::time::now_ms();
        let row =
            sqlx::query("UPDATE accounts SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins")
                .bind(id.0)
                .fetch_one(&mut **tx)
                .await?;
        let n: i64 = row.try_get("failed_logins")?;
        if n >= max {
            sqlx::query("UPDATE accounts SET locked_until = $1, failed_logins = 0 WHERE id = $2")
                .bind(t + lock_ms)
                .bind(id.0)
                .execute(&mut **tx)
                .await?;
        }
        Ok(n)
    }

    pub async fn record_login_success(&self, tx: &mut Tx, id: AccountId) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET failed_logins = 0, locked_until = 0, last_login_at = $1 WHERE id = $2")
            .bind(bastion_core::time::now_ms())
            .bind(id.0)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Times of the failed sign-ins under `username` since `since_ms`, oldest first.
    pub async fn login_failures_since(&self, username: &str, since_ms: i64) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT at FROM login_log WHERE username = $1 AND success = 0 AND at >= $2 ORDER BY at LIMIT 10000",
        )
        .bind(username)
        .bind(since_ms)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("at")?)).collect()
    }

    pub async fn insert_login_log(
        &self,
        tx: &mut Tx,
        username: &str,
        ip: &str,
        ua: &str,
        success: bool,
        message: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO login_log (at, username, ip, user_agent, success, message) VALUES ($1,$2,$3,$4,$5,$6)",
        )
        .bind(bastion_core::time::now_ms())
        .bind(username)
        .bind(ip)
        .bind(ua)
        .bind(i64::from(success))
        .bind(message)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub async fn login_log(&self, limit: i64, offset: i64) -> StoreResult<Vec<LoginLogEntry>> {
        let rows =
            sqlx::query("SELECT at, username, ip, success, message FROM login_log ORDER BY id DESC LIMIT $1 OFFSET $2")
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.read)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(LoginLogEntry {
                    at: r.try_get("at")?,
                    username: r.try_get("username")?,
                    ip: r.try_get("ip")?,
                    success: flag(r, "success")?,
                    message: r.try_get("message")?,
                })
            })
            .collect()
    }

    pub async fn login_log_count(&self) -> StoreResult<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM login_log").fetch_one(&self.read).await?.try_get("n")?)
    }

    pub async fn insert_session(
        &self,
        tx: &mut Tx,
        token_hash: &str,
        account: AccountId,
        ip: &str,
        ua: &str,
        stage: &str,
    ) -> StoreResult<()> {
        let t = bastion_core::time::now_ms();
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, ip, user_agent, stage) \
             VALUES ($1,$2,$3,$3,$4,$5,$6)",
        )
        .bind(token_hash)
        .bind(account.0)
        .bind(t)
        .bind(ip)
        .bind(ua)
        .bind(stage)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The session's account when the session exists and was seen within `idle_ms`.
    /// A session with its account, unless unknown or idle for longer than `idle_ms`. Served from a
    /// per-node cache for up to [`crate::cache::SESSION_TTL`] (see there for when changes show).
    pub async fn session(&self, token_hash: &str, idle_ms: i64) -> StoreResult<Option<SessionRow>> {
        let t = bastion_core::time::now_ms();
        let row = match self.caches.session(token_hash) {
            Some(row) => row,
            None => {
                let gen = self.caches.session_generation();
                let row = sqlx::query(&format!(
                    "SELECT {ACCOUNT_COLS}, s.created_at AS s_created, s.last_seen_at AS s_seen, s.stage AS s_stage \
                     FROM sessions s JOIN accounts a ON a.id = s.account_id JOIN units u ON u.id = a.unit_id \
                     WHERE s.token_hash = $1"
                ))
                .bind(token_hash)
                .fetch_optional(&self.read)
                .await?;
                let Some(row) = row else { return Ok(None) };
                let row = SessionRow {
                    account: account_from(&row)?,
                    created_at: row.try_get("s_created")?,
                    last_seen_at: row.try_get("s_seen")?,
                    stage: row.try_get("s_stage")?,
                };
                self.caches.put_session(gen, token_hash, row.clone());
                row
            }
        };
        if t - row.last_seen_at > idle_ms {
            return Ok(None);
        }
        Ok(Some(row))
    }

    /// Refresh the idle timer, at most every few seconds per session to keep reads cheap.
    pub async fn touch_session(&self, token_hash: &str) -> StoreResult<()> {
        let t = bastion_core::time::now_ms();
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(t)
            .bind(token_hash)
            .execute(&self.write)
            .await?;
        self.caches.touched_session(token_hash, t);
        Ok(())
    }

    pub async fn delete_session(&self, tx: &mut Tx, token_hash: &str) -> StoreResult<()> {
        self.caches.forget_sessions();
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut **tx).await?;
        Ok(())
    }
}

/// One signed-in session as the online-users page shows it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OnlineSession {
    /// The stored hash of the token: identifies the session without being able to use it.
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub unit_name: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

impl Store {
    /// Sessions seen within `idle_ms`, most recent first.
    pub async fn online_sessions(&self, idle_ms: i64) -> StoreResult<Vec<OnlineSession>> {
        let since = bastion_core::time::now_ms() - idle_ms;
        let rows = sqlx::query(
            "SELECT s.token_hash, a.username, a.display_name, u.name AS unit_name, s.ip, s.user_agent, s.created_at, \
             s.last_seen_at FROM sessions s JOIN accounts a ON a.id = s.account_id JOIN units u ON u.id = a.unit_id \
             WHERE s.last_seen_at >= $1 ORDER BY s.last_seen_at DESC",
        )
        .bind(since)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OnlineSession {
                    id: r.try_get("token_hash")?,
                    username: r.try_get("username")?,
                    display_name: r.try_get("display_name")?,
                    unit_name: r.try_get("unit_name")?,
                    ip: r.try_get("ip")?,
                    user_agent: r.try_get("user_agent")?,
                    created_at: r.try_get("created_at")?,
                    last_seen_at: r.try_get("last_seen_at")?,
                })
            })
            .collect()
    }

    /// The username owning a session, if it exists.
    pub async fn session_owner(&self, token_hash: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query(
            "SELECT a.username FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| Ok(r.try_get("username")?)).transpose()
    }
}

impl Store {
    /// Store a (new, not yet enabled) TOTP secret, or enable/disable the factor.
    pub async fn set_totp(
        &self,
        tx: &mut Tx,
        id: AccountId,
        secret_cipher: Option<&[u8]>,
        enabled: bool,
    ) -> StoreResult<()> {
        self.caches.forget_sessions();
        sqlx::query("UPDATE accounts SET totp_secret = COALESCE($1, totp_secret), totp_enabled = $2, updated_at = $3 WHERE id = $4")
            .bind(secret_cipher.map(<[u8]>::to_vec))
            .bind(i64::from(enabled))
            .bind(bastion_core::time::now_ms())
            .bind(id.0)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Record the step of the last accepted code; refuses (false) a step not after the stored one,
    /// so one code signs in once even across nodes.
    pub async fn use_totp_step(&self, tx: &mut Tx, id: AccountId, step: i64) -> StoreResult<bool> {
        let n = sqlx::query("UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1")
            .bind(step)
            .bind(id.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    pub async fn set_session_stage(&self, tx: &mut Tx, token_hash: &str, stage: &str) -> StoreResult<()> {
        self.caches.forget_sessions();
        sqlx::query("UPDATE sessions SET stage = $1 WHERE token_hash = $2")
            .bind(stage)
            .bind(token_hash)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

impl Store {
    pub async fn set_roles(&self, tx: &mut Tx, id: AccountId, roles: &[String]) -> StoreResult<()> {
        self.caches.forget_sessions();
        sqlx::query("UPDATE accounts SET roles = $1, updated_at = $2 WHERE id = $3")
            .bind(roles.join(","))
            .bind(bastion_core::time::now_ms())
            .bind(id.0)
            .execute(&mut **tx)
            .await?;
        // New roles take effect at the next sign-in: end the account's sessions now.
        sqlx::query("DELETE FROM sessions WHERE account_id = $1").bind(id.0).execute(&mut **tx).await?;
        Ok(())
    }

    pub async fn unlock_account(&self, tx: &mut Tx, id: AccountId) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET failed_logins = 0, locked_until = 0 WHERE id = $1")
            .bind(id.0)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}
