//! Recall delivery: in-app notices, notification channels (SMS gateway, WeCom, DingTalk, Feishu), the outgoing
//! queue with leases and retries, the delivery log, and the cross-node change signal (PostgreSQL
//! NOTIFY/LISTEN) that wakes the boards.

use bastion_core::time::now_ms;
use sqlx::Row;

use crate::db::{found, Backend, Store, StoreError, StoreResult, Tx};
use crate::org::{PersonId, UnitId};
use crate::recall::{
    Channel, ChannelId, Delivery, NewChannel, Notice, OrderId, OutboxItem, QueueCounts, SEND_LEASE_MS,
};

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

    pub async fn insert_recall_channel(&self, tx: &mut Tx, c: &NewChannel) -> StoreResult<ChannelId> {
        let secret = match &c.secret {
            Some(s) => Some(self.crypto.encrypt(s)?),
            None => None,
        };
        let row = sqlx::query(
            "INSERT INTO recall_channels (kind, name, url, secret_cipher, template, link_base, min_interval_ms, enabled, \
             created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,1,$8) RETURNING id",
        )
        .bind(&c.kind)
        .bind(&c.name)
        .bind(&c.url)
        .bind(secret)
        .bind(&c.template)
        .bind(&c.link_base)
        .bind(c.min_interval_ms)
        .bind(now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(ChannelId(row.try_get("id")?))
    }

    pub async fn recall_channels(&self) -> StoreResult<Vec<Channel>> {
        let rows = sqlx::query(
            "SELECT id, kind, name, url, secret_cipher, template, link_base, min_interval_ms, enabled FROM recall_channels \
             ORDER BY id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let url: String = r.try_get("url")?;
                Ok(Channel {
                    id: ChannelId(r.try_get("id")?),
                    kind: r.try_get("kind")?,
                    name: r.try_get("name")?,
                    url_masked: mask_url(&url),
                    url,
                    secret_cipher: r.try_get("secret_cipher")?,
                    template: r.try_get("template")?,
                    link_base: r.try_get("link_base")?,
                    min_interval_ms: r.try_get("min_interval_ms")?,
                    enabled: r.try_get::<i64, _>("enabled")? != 0,
                })
            })
            .collect()
    }

    /// Queue one message for a channel (a digest, or one SMS when `person` is set).
    pub async fn queue_recall_message(
        &self,
        tx: &mut Tx,
        order: OrderId,
        channel: ChannelId,
        person: Option<PersonId>,
        body: &str,
    ) -> StoreResult<()> {
        let t = now_ms();
        sqlx::query(
            "INSERT INTO recall_outbox (order_id, channel_id, person_id, body, status, next_at, created_at) \
             VALUES ($1,$2,$3,$4,'queued',$5,$5)",
        )
        .bind(order.0)
        .bind(channel.0)
        .bind(person.map(|p| p.0))
        .bind(body)
        .bind(t)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Queue one SMS per unanswered person of an order (the text is rendered at send time,
    /// so no number and no link is stored in the queue).
    pub async fn queue_recall_sms(
        &self,
        tx: &mut Tx,
        order: OrderId,
        channel: ChannelId,
        only_unanswered: bool,
    ) -> StoreResult<i64> {
        let states = if only_unanswered { "'pending', 'delivered', 'no_response'" } else { "'pending'" };
        let n = sqlx::query(&format!(
            "INSERT INTO recall_outbox (order_id, channel_id, person_id, body, status, next_at, created_at) \
             SELECT order_id, $1, person_id, '', 'queued', $2, $2 FROM recall_targets \
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

    pub async fn set_recall_channel_enabled(&self, tx: &mut Tx, id: ChannelId, enabled: bool) -> StoreResult<()> {
        let n = sqlx::query("UPDATE recall_channels SET enabled = $1 WHERE id = $2")
            .bind(i64::from(enabled))
            .bind(id.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        found(n)
    }

    /// Messages due at `at` on enabled channels, oldest first: queued ones, and ones taken for
    /// sending whose lease ran out (the node that took them stopped before recording the attempt).
    pub async fn due_recall_messages(&self, at: i64, limit: i64) -> StoreResult<Vec<OutboxItem>> {
        let rows = sqlx::query(
            "SELECT o.id, o.order_id, o.channel_id, o.person_id, o.body, o.attempts FROM recall_outbox o \
             JOIN recall_channels c ON c.id = o.channel_id \
             WHERE o.status IN ('queued', 'sending') AND o.next_at <= $1 AND c.enabled = 1 \
             ORDER BY o.next_at, o.id LIMIT $2",
        )
        .bind(at)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OutboxItem {
                    id: r.try_get("id")?,
                    order_id: r.try_get::<Option<i64>, _>("order_id")?.map(OrderId),
                    channel_id: ChannelId(r.try_get("channel_id")?),
                    person_id: r.try_get::<Option<i64>, _>("person_id")?.map(PersonId),
                    body: r.try_get("body")?,
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect()
    }

    /// Take a due message for sending at `at` (one node wins when several poll the same queue). The
    /// claim is a lease: if no attempt is recorded by `at + SEND_LEASE_MS` (the node stopped in
    /// between), the message is due again and another poll takes it.
    pub async fn claim_recall_message(&self, id: i64, at: i64) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE recall_outbox SET status = 'sending', next_at = $1 \
             WHERE id = $2 AND (status = 'queued' OR status = 'sending') AND next_at <= $3",
        )
        .bind(at + SEND_LEASE_MS)
        .bind(id)
        .bind(at)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Record one attempt: the log row, and the queue row sent, retried later, or given up.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_recall_attempt(
        &self,
        tx: &mut Tx,
        item: &OutboxItem,
        ok: bool,
        http_status: i64,
        detail: &str,
        retry_at: Option<i64>,
    ) -> StoreResult<()> {
        let t = now_ms();
        let attempt = item.attempts + 1;
        sqlx::query(
            "INSERT INTO recall_deliveries (outbox_id, order_id, channel_id, attempt, ok, http_status, detail, at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
        )
        .bind(item.id)
        .bind(item.order_id.map(|o| o.0))
        .bind(item.channel_id.0)
        .bind(attempt)
        .bind(i64::from(ok))
        .bind(http_status)
        .bind(detail)
        .bind(t)
        .execute(&mut **tx)
        .await?;
        let (status, next) = match (ok, retry_at) {
            (true, _) => ("sent", t),
            (false, Some(at)) => ("queued", at),
            (false, None) => ("failed", t),
        };
        sqlx::query(
            "UPDATE recall_outbox SET status = $1, attempts = $2, next_at = $3, last_error = $4, \
             sent_at = CASE WHEN $1 = 'sent' THEN $5 ELSE sent_at END WHERE id = $6",
        )
        .bind(status)
        .bind(attempt)
        .bind(next)
        .bind(if ok { "" } else { detail })
        .bind(t)
        .bind(item.id)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// An order's delivery log, newest first. With `units`, scoped like the board: messages to a
    /// person appear only when that person's unit is among `units` (a detail may name the person);
    /// group messages (chat bots, no person) always appear.
    pub async fn recall_deliveries(
        &self,
        order: OrderId,
        units: Option<&[i64]>,
        limit: i64,
    ) -> StoreResult<Vec<Delivery>> {
        let mut q = crate::sql::Sql::new(&format!(
            "{DELIVERY_SELECT} LEFT JOIN recall_outbox o ON o.id = d.outbox_id \
             LEFT JOIN people p ON p.id = o.person_id WHERE d.order_id = "
        ));
        q.bind_i64(order.0);
        if let Some(ids) = units {
            q.push(" AND (o.person_id IS NULL OR p.unit_id IN (0");
            for u in ids {
                q.push(", ").bind_i64(*u);
            }
            q.push("))");
        }
        q.push(" ORDER BY d.id DESC LIMIT ").bind_i64(limit);
        let rows = q.query().fetch_all(&self.read).await?;
        deliveries_from(&rows)
    }

    /// The delivery log of the messages that belong to no order: fever alerts to the bot groups.
    pub async fn alert_deliveries(&self, limit: i64) -> StoreResult<Vec<Delivery>> {
        let rows = sqlx::query(&format!("{DELIVERY_SELECT} WHERE d.order_id IS NULL ORDER BY d.id DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        deliveries_from(&rows)
    }

    /// Queue `text` to every enabled chat-bot group (not SMS) as a message of no order. The caller
    /// guarantees the text names no person.
    pub async fn queue_bot_alert(&self, tx: &mut Tx, text: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO recall_outbox (order_id, channel_id, person_id, body, status, next_at, created_at) \
             SELECT NULL, id, NULL, $1, 'queued', $2, $2 FROM recall_channels WHERE enabled = 1 AND kind <> 'sms'",
        )
        .bind(text)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

const DELIVERY_SELECT: &str = "SELECT d.id, c.name AS channel, c.kind, d.attempt, d.ok, d.http_status, d.detail, d.at \
     FROM recall_deliveries d JOIN recall_channels c ON c.id = d.channel_id";

fn deliveries_from(rows: &[sqlx::any::AnyRow]) -> StoreResult<Vec<Delivery>> {
    rows.iter()
        .map(|r| {
            Ok(Delivery {
                id: r.try_get("id")?,
                channel: r.try_get("channel")?,
                kind: r.try_get("kind")?,
                attempt: r.try_get("attempt")?,
                ok: r.try_get::<i64, _>("ok")? != 0,
                http_status: r.try_get("http_status")?,
                detail: r.try_get("detail")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

impl Store {
    pub async fn recall_queue_counts(&self, order: OrderId) -> StoreResult<QueueCounts> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM recall_outbox WHERE order_id = $1 GROUP BY status")
            .bind(order.0)
            .fetch_all(&self.read)
            .await?;
        let mut c = QueueCounts::default();
        for r in &rows {
            let n: i64 = r.try_get("n")?;
            match r.try_get::<String, _>("status")?.as_str() {
                "queued" => c.queued = n,
                "sent" => c.sent = n,
                _ => c.failed = n,
            }
        }
        Ok(c)
    }

    /// The clear mobile number of a person, for the SMS gateway only (never logged).
    pub async fn person_mobile(&self, person: PersonId) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT mobile_cipher FROM people WHERE id = $1")
            .bind(person.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let blob: Option<Vec<u8>> = row.try_get("mobile_cipher")?;
        blob.map(|b| self.crypto.decrypt(&b)).transpose()
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

fn mask_url(url: &str) -> String {
    // Keys travel in the query (`key=`, `access_token=`) or the last path segment (Feishu).
    let base = url.split('?').next().unwrap_or(url);
    let trimmed = match base.rfind('/') {
        Some(i) if base[i + 1..].len() > 12 => format!("{}/***", &base[..i]),
        _ => base.to_string(),
    };
    if url.contains('?') {
        format!("{trimmed}?***")
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks_webhook_keys() {
        assert_eq!(
            super::mask_url("https://oapi.dingtalk.com/robot/send?access_token=abc"),
            "https://oapi.dingtalk.com/robot/send?***"
        );
        assert_eq!(
            super::mask_url("https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f-6789"),
            "https://open.feishu.cn/open-apis/bot/v2/hook/***"
        );
    }
}
