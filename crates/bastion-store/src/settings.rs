//! Key/value settings kept in the database (shared by every node).

use sqlx::Row;

use crate::db::{Store, StoreResult, Tx};

impl Store {
    pub async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(&self.read).await?;
        row.map(|r| Ok(r.try_get("value")?)).transpose()
    }

    pub async fn put_setting(&self, tx: &mut Tx, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

impl Store {
    /// A setting read inside a write transaction (on PostgreSQL the row is locked until commit).
    pub async fn setting_in(&self, tx: &mut Tx, key: &str) -> StoreResult<Option<String>> {
        let lock = match self.backend {
            crate::Backend::Postgres => " FOR UPDATE",
            crate::Backend::Sqlite => "",
        };
        let row = sqlx::query(&format!("SELECT value FROM settings WHERE key = $1{lock}"))
            .bind(key)
            .fetch_optional(&mut **tx)
            .await?;
        row.map(|r| Ok(r.try_get("value")?)).transpose()
    }
}
