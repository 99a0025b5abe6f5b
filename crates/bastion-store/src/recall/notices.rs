//! Recall's own records of what it told whom (escalation notices), the SMS it queues per person
//! through `notify`, and the cross-node change signal (PostgreSQL NOTIFY/LISTEN) that wakes the
//! boards.

use bastion_core::time::now_ms;
use sqlx::Row;

use crate::db::{Backend, Store, StoreResult, Tx};
use crate::notify::ChannelId;
use crate::org::{PersonId, UnitId};
use crate::recall::{Notice, OrderId};

/// The `source` of recall's messages in the delivery queue.
pub const NOTIFY_SOURCE: &str = "recall";

impl Store {
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_recall_notice(
        &self,
        tx: &mut Tx,
        order: OrderId,
        wave: i64,
        audience: &str,
        unit: Option<UnitId>,
        person: Option<PersonId>,
        body: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO recall_notices (order_id, wave, audience, unit_id, person_id, body, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7)",
        )
        .bind(order.0)
        .bind(wave)
        .bind(audience)
        .bind(unit.map(|u| u.0))
        .bind(person.map(|p| p.0))
        .bind(body)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub async fn recall_notices(&self, order: OrderId) -> StoreResult<Vec<Notice>> {
        let rows = sqlx::query(
            "SELECT n.wave, n.audience, u.name AS unit_name, n.body, n.created_at FROM recall_notices n \
             LEFT JOIN units u ON u.id = n.unit_id WHERE n.order_id = $1 ORDER BY n.id DESC LIMIT 200",
        )
        .bind(order.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Notice {
                    wave: r.try_get("wave")?,
                    audience: r.try_get("audience")?,
                    unit_name: r.try_get("unit_name")?,
                    body: r.try_get("body")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Queue one SMS per person of an order still to be reached (all pending ones, or with
    /// `only_unanswered` everyone who has not answered). The text is rendered at send time, so
    /// no number and no link is stored in the queue.
    pub async fn queue_recall_sms(
        &self,
        tx: &mut Tx,
        order: OrderId,
        channel: ChannelId,
        only_unanswered: bool,
    ) -> StoreResult<i64> {
        let states = if only_unanswered { "'pending', 'delivered', 'no_response'" } else { "'pending'" };
        let n = sqlx::query(&format!(
            "INSERT INTO notify_outbox (source, source_id, channel_id, person_id, body, status, next_at, created_at) \
             SELECT '{NOTIFY_SOURCE}', order_id, $1, person_id, '', 'queued', $2, $2 FROM recall_targets \
             WHERE order_id = $3 AND state IN ({states})"
        ))
        .bind(channel.0)
        .bind(now_ms())
        .bind(order.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n as i64)
    }

    /// Tell every node that an order's board changed (PostgreSQL NOTIFY; a no-op on SQLite,
    /// where there is one node and the in-process channel suffices).
    pub async fn notify_recall(&self, order: OrderId) -> StoreResult<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT 1 AS ok FROM (SELECT pg_notify('bastion_recall', $1)) AS n")
                .bind(order.0.to_string())
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }

    /// Listen for board changes from every node (PostgreSQL only): calls `on` with each order id.
    pub async fn listen_recall(&self, on: impl Fn(OrderId) + Send + 'static) -> StoreResult<()> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
        listener.listen("bastion_recall").await?;
        loop {
            let n = listener.recv().await?;
            if let Ok(id) = n.payload().parse::<i64>() {
                on(OrderId(id));
            }
        }
    }
}
