//! View counts: a total per article and a count per day, both only ever added to, and how far each
//! node's view journal (see `bastion_app::publicity::journal`) has been written into them.

use sqlx::Row;

use crate::db::{Store, StoreResult, Tx};
use crate::publicity::ArticleId;

impl Store {
    /// Begin a transaction that only adds view counts: unlike [`Store::begin`] it leaves the
    /// cached unit tree and head counts alone (a flush runs every second).
    pub async fn begin_counter(&self) -> StoreResult<Tx> {
        Ok(self.write.begin().await?)
    }

    /// Add buffered views: `views = views + n` per article (so nodes add up) and the same to the
    /// day's row. Returns each article's stored total after the addition.
    pub async fn add_views(
        &self,
        tx: &mut Tx,
        day: &str,
        counts: &[(ArticleId, i64)],
    ) -> StoreResult<Vec<(ArticleId, i64)>> {
        let mut out = Vec::with_capacity(counts.len());
        for (id, n) in counts {
            let row = sqlx::query("UPDATE publicity_articles SET views = views + $1 WHERE id = $2 RETURNING views")
                .bind(*n)
                .bind(id.0)
                .fetch_optional(&mut **tx)
                .await?;
            // An article deleted meanwhile: its views have nowhere to go.
            let Some(row) = row else { continue };
            out.push((*id, row.try_get("views")?));
            sqlx::query(
                "INSERT INTO publicity_daily_views (article_id, day, views) VALUES ($1, $2, $3) \
                 ON CONFLICT (article_id, day) DO UPDATE SET views = publicity_daily_views.views + excluded.views",
            )
            .bind(id.0)
            .bind(day)
            .bind(*n)
            .execute(&mut **tx)
            .await?;
        }
        Ok(out)
    }

    /// Stored totals of some articles (to show the views other nodes counted).
    pub async fn article_views(&self, ids: &[ArticleId]) -> StoreResult<Vec<(ArticleId, i64)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids.iter().map(|i| i.0.to_string()).collect::<Vec<_>>().join(",");
        let rows = sqlx::query(&format!("SELECT id, views FROM publicity_articles WHERE id IN ({list})"))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok((ArticleId(r.try_get("id")?), r.try_get("views")?))).collect()
    }

    /// How many bytes of the view journal `journal` are already in the counts (None: none yet).
    pub async fn view_journal_applied(&self, journal: &str) -> StoreResult<Option<i64>> {
        let row = sqlx::query("SELECT applied FROM view_journals WHERE journal = $1")
            .bind(journal)
            .fetch_optional(&self.write)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get("applied")?),
            None => None,
        })
    }

    /// Record, in the transaction that adds a journal's views, how far the journal is applied.
    pub async fn set_view_journal_applied(&self, tx: &mut Tx, journal: &str, applied: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO view_journals (journal, applied, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (journal) DO UPDATE SET applied = excluded.applied, updated_at = excluded.updated_at",
        )
        .bind(journal)
        .bind(applied)
        .bind(bastion_core::time::now_ms())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Forget a journal that was replaced on disk after it had been applied to its end.
    pub async fn drop_view_journal(&self, tx: &mut Tx, journal: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM view_journals WHERE journal = $1").bind(journal).execute(&mut **tx).await?;
        Ok(())
    }
}
