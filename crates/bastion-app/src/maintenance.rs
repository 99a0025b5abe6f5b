//! The operator's work on a deployment: opening the database, readiness, backup, key rotation,
//! closing. The command line and `serve` call these; nothing here is reachable from a page.

use std::path::Path;

use crate::{App, AppError, AppResult, Ctx, Policy};

/// Create the data directory readable by its owner only (0700), as the key file is.
pub fn create_data_dir(dir: &Path) -> std::io::Result<()> {
    bastion_store::db::create_private_dir(dir)
}

/// A database URL with its password hidden, for logs and `config show`.
pub fn redact_database_url(url: &str) -> String {
    bastion_store::db::redact(url)
}

impl App {
    /// Open (and migrate) the database: the SQLite file under `data` unless `database` names a
    /// PostgreSQL URL; field-encryption keys from `key_file` (or the environment). The error is
    /// the operator's one line (an unreachable server, a missing directory, a bad key file).
    pub async fn open(data: &Path, database: Option<&str>, key_file: &Path, policy: Policy) -> anyhow::Result<App> {
        let crypto = bastion_store::Crypto::load(key_file).map_err(|e| anyhow::anyhow!("{e}"))?;
        let store = bastion_store::Store::open(data, database, crypto).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let app = App::new(store, policy);
        // The operator reads this at start-up: say what could not be read, not only that it failed.
        app.refresh_policy().await.map_err(|e| match e {
            AppError::Internal(cause) => anyhow::anyhow!("读取安全策略和自定义角色失败：{cause:#}"),
            other => anyhow::anyhow!("{other}"),
        })?;
        Ok(app)
    }

    /// Whether the database answers (`/readyz`).
    pub async fn ping(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }

    /// Close the database's connections (after the last request).
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// An online copy of the SQLite database (`VACUUM INTO`); PostgreSQL is backed up with pg_dump.
    pub async fn backup(&self, dest: &Path) -> AppResult<()> {
        Ok(self.store.backup_sqlite(dest).await?)
    }

    /// A new current field-encryption key (old keys kept for reading), every stored number
    /// re-encrypted with it, and the rotation audited. Returns the new key's number and how many
    /// fields were rewritten.
    pub async fn rotate_keys(&self, ctx: &Ctx) -> AppResult<(u8, i64)> {
        let id = self.store.crypto.rotate_file()?;
        let n = self.store.reencrypt_all().await?;
        let mut tx = self.store.begin().await?;
        self.audit(&mut tx, ctx, "system", "轮换加密密钥", &format!("key:{id}"), &format!("重新加密 {n} 个字段"))
            .await?;
        bastion_store::commit(tx).await.map_err(AppError::from)?;
        Ok((id, n))
    }

    /// Whether the database holds no units yet (a fresh install: the demo may be created).
    pub async fn is_empty(&self) -> AppResult<bool> {
        Ok(self.store.units().await?.is_empty())
    }
}
