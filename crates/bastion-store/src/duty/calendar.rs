//! Calendar feeds (日历订阅): a person's token, kept as its hash.

use sqlx::Row;

use crate::db::{Store, StoreResult, Tx};
use crate::org::PersonId;

impl Store {
    /// Set a person's feed token (its hash), replacing any earlier one.
    pub async fn set_calendar_token(&self, tx: &mut Tx, person: PersonId, hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM duty_calendar_tokens WHERE person_id = $1").bind(person.0).execute(&mut **tx).await?;
        sqlx::query("INSERT INTO duty_calendar_tokens (person_id, token_hash, created_at) VALUES ($1,$2,$3)")
            .bind(person.0)
            .bind(hash)
            .bind(bastion_core::time::now_ms())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Stop a person's feed; false when there was none.
    pub async fn delete_calendar_token(&self, tx: &mut Tx, person: PersonId) -> StoreResult<bool> {
        let n = sqlx::query("DELETE FROM duty_calendar_tokens WHERE person_id = $1")
            .bind(person.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// When the person's feed was made, if they have one.
    pub async fn calendar_token_made(&self, person: PersonId) -> StoreResult<Option<i64>> {
        let r = sqlx::query("SELECT created_at FROM duty_calendar_tokens WHERE person_id = $1")
            .bind(person.0)
            .fetch_optional(&self.read)
            .await?;
        r.map(|r| Ok(r.try_get("created_at")?)).transpose()
    }

    /// The person a token's hash belongs to.
    pub async fn calendar_person(&self, hash: &str) -> StoreResult<Option<PersonId>> {
        let r = sqlx::query("SELECT person_id FROM duty_calendar_tokens WHERE token_hash = $1")
            .bind(hash)
            .fetch_optional(&self.read)
            .await?;
        r.map(|r| Ok(PersonId(r.try_get("person_id")?))).transpose()
    }
}
