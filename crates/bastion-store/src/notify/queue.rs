//! The delivery queue's SQL: channels, queued messages (taken for sending under a lease, retried
//! with backoff), attempts and the delivery log.

use bastion_core::time::now_ms;
use sqlx::Row;

use crate::db::{found, Store, StoreError, StoreResult, Tx};
use crate::notify::{Channel, ChannelId, Delivery, NewChannel, OutboxItem, QueueCounts, Source, SEND_LEASE_MS};
use crate::org::PersonId;

impl Store {
    pub async fn insert_channel(&self, tx: &mut Tx, c: &NewChannel) -> StoreResult<ChannelId> {
        let secret = match &c.secret {
            Some(s) => Some(self.crypto.encrypt(s)?),
            None => None,
        };
        let row = sqlx::query(
            "INSERT INTO notify_channels (kind, name, url, secret_cipher, template, link_base, min_interval_ms, enabled, \
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

    pub async fn channels(&self) -> StoreResult<Vec<Channel>> {
        let rows = sqlx::query(
            "SELECT id, kind, name, url, secret_cipher, template, link_base, min_interval_ms, enabled FROM notify_channels \
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

    /// Queue one message for a channel (a group message, or a personal one when `person` is set,
    /// whose text the source feature renders at send time).
    pub async fn queue_message(
        &self,
        tx: &mut Tx,
        source: Source,
        channel: ChannelId,
        person: Option<PersonId>,
        body: &str,
    ) -> StoreResult<()> {
        let t = now_ms();
        sqlx::query(
            "INSERT INTO notify_outbox (source, source_id, channel_id, person_id, body, status, next_at, created_at) \
             VALUES ($1,$2,$3,$4,$5,'queued',$6,$6)",
        )
        .bind(source.feature)
        .bind(source.id)
        .bind(channel.0)
        .bind(person.map(|p| p.0))
        .bind(body)
        .bind(t)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Queue `text` to every enabled chat-bot group (not SMS). The caller guarantees the text names
    /// no person. Returns the number of groups.
    pub async fn queue_to_groups(&self, tx: &mut Tx, source: Source, text: &str) -> StoreResult<i64> {
        let n = sqlx::query(
            "INSERT INTO notify_outbox (source, source_id, channel_id, person_id, body, status, next_at, created_at) \
             SELECT $1, $2, id, NULL, $3, 'queued', $4, $4 FROM notify_channels WHERE enabled = 1 AND kind <> 'sms'",
        )
        .bind(source.feature)
        .bind(source.id)
        .bind(text)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n as i64)
    }

    /// Change a channel; `secret` None keeps the stored secret.
    pub async fn update_channel(&self, tx: &mut Tx, id: ChannelId, c: &NewChannel) -> StoreResult<()> {
        let secret = match &c.secret {
            Some(s) => Some(self.crypto.encrypt(s)?),
            None => None,
        };
        let n = sqlx::query(
            "UPDATE notify_channels SET kind = $1, name = $2, url = $3, secret_cipher = COALESCE($4, secret_cipher), \
             template = $5, link_base = $6, min_interval_ms = $7 WHERE id = $8",
        )
        .bind(&c.kind)
        .bind(&c.name)
        .bind(&c.url)
        .bind(secret)
        .bind(&c.template)
        .bind(&c.link_base)
        .bind(c.min_interval_ms)
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        found(n)
    }

    pub async fn channel_name(&self, tx: &mut Tx, id: ChannelId) -> StoreResult<String> {
        let row = sqlx::query("SELECT name FROM notify_channels WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("name")?)
    }

    /// Messages ever queued on a channel (sent, failed or waiting).
    pub async fn channel_message_count(&self, tx: &mut Tx, id: ChannelId) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM notify_outbox WHERE channel_id = $1")
            .bind(id.0)
            .fetch_one(&mut **tx)
            .await?;
        Ok(row.try_get("n")?)
    }

    pub async fn delete_channel(&self, tx: &mut Tx, id: ChannelId) -> StoreResult<()> {
        let n = sqlx::query("DELETE FROM notify_channels WHERE id = $1")
            .bind(id.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        found(n)
    }

    pub async fn set_channel_enabled(&self, tx: &mut Tx, id: ChannelId, enabled: bool) -> StoreResult<()> {
        let n = sqlx::query("UPDATE notify_channels SET enabled = $1 WHERE id = $2")
            .bind(i64::from(enabled))
            .bind(id.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        found(n)
    }

    /// Messages due at `at` on enabled channels, oldest first: queued ones, and ones taken for
    /// sending whose lease ran out (the node that took them stopped before recording the attempt).
    pub async fn due_messages(&self, at: i64, limit: i64) -> StoreResult<Vec<OutboxItem>> {
        let rows = sqlx::query(
            "SELECT o.id, o.source, o.source_id, o.channel_id, o.person_id, o.body, o.attempts FROM notify_outbox o \
             JOIN notify_channels c ON c.id = o.channel_id \
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
                    source: r.try_get("source")?,
                    source_id: r.try_get("source_id")?,
                    channel_id: ChannelId(r.try_get("channel_id")?),
                    person_id: r.try_get::<Option<i64>, _>("person_id")?.map(PersonId),
                    body: r.try_get("body")?,
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect()
    }

    /// A message has just left through the channel at `at`: its next slot counts from now, not
    /// from when this one's slot was taken (the claim and the request took time in between).
    pub async fn mark_sent(&self, channel: ChannelId, at: i64) -> StoreResult<()> {
        sqlx::query("UPDATE notify_channels SET last_send_at = $1 WHERE id = $2 AND last_send_at < $1")
            .bind(at)
            .bind(channel.0)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Take the channel's next sending slot at `at` when its last message left at least
    /// `min_interval_ms` before: one conditional update, so two nodes never both take it.
    pub async fn take_send_slot(&self, channel: ChannelId, at: i64, min_interval_ms: i64) -> StoreResult<bool> {
        let n = sqlx::query("UPDATE notify_channels SET last_send_at = $1 WHERE id = $2 AND last_send_at <= $3")
            .bind(at)
            .bind(channel.0)
            .bind(at - min_interval_ms.max(0))
            .execute(&self.write)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// Take a due message for sending at `at` (one node wins when several poll the same queue). The
    /// claim is a lease: if no attempt is recorded by `at + SEND_LEASE_MS` (the node stopped in
    /// between), the message is due again and another poll takes it.
    pub async fn claim_message(&self, id: i64, at: i64) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE notify_outbox SET status = 'sending', next_at = $1 \
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
    pub async fn record_attempt(
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
            "INSERT INTO notify_deliveries (outbox_id, source, source_id, channel_id, attempt, ok, http_status, detail, at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        )
        .bind(item.id)
        .bind(&item.source)
        .bind(item.source_id)
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
            "UPDATE notify_outbox SET status = $1, attempts = $2, next_at = $3, last_error = $4, \
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

    /// The whole delivery log, newest first (the channel administrator's view).
    pub async fn recent_deliveries(&self, limit: i64) -> StoreResult<Vec<Delivery>> {
        let rows = sqlx::query(&format!("{DELIVERY_SELECT} ORDER BY d.id DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        deliveries_from(&rows)
    }

    /// The delivery log of one feature's messages, newest first: of one record (`source.id`), or
    /// with `source.id` None of all the feature's messages. With `units`, scoped like the feature's
    /// pages: a personal message appears only when that person's unit is among `units` (its detail
    /// may name the person); group messages (chat bots, no person) always appear. Up to `limit`
    /// of each kind, merged newest first.
    pub async fn deliveries_of(&self, source: Source, units: Option<&[i64]>, limit: i64) -> StoreResult<Vec<Delivery>> {
        // Group messages (a handful per record) and personal messages (one per person) are read
        // apart, so a long run of SMS never pushes the bots' deliveries off the list.
        let mut all = Vec::new();
        for personal in [false, true] {
            let mut q = crate::sql::Sql::new(&format!(
                "{DELIVERY_SELECT} LEFT JOIN notify_outbox o ON o.id = d.outbox_id \
                 LEFT JOIN people p ON p.id = o.person_id WHERE d.source = "
            ));
            q.bind_text(source.feature);
            if let Some(id) = source.id {
                q.push(" AND d.source_id = ").bind_i64(id);
            }
            if personal {
                q.push(" AND o.person_id IS NOT NULL");
                if let Some(ids) = units {
                    q.push(" AND p.unit_id IN (0");
                    for u in ids {
                        q.push(", ").bind_i64(*u);
                    }
                    q.push(")");
                }
            } else {
                q.push(" AND o.person_id IS NULL");
            }
            q.push(" ORDER BY d.id DESC LIMIT ").bind_i64(limit);
            let rows = q.query().fetch_all(&self.read).await?;
            all.extend(deliveries_from(&rows)?);
        }
        all.sort_by_key(|d| std::cmp::Reverse(d.id));
        Ok(all)
    }
}

const DELIVERY_SELECT: &str =
    "SELECT d.id, d.source, c.name AS channel, c.kind, d.attempt, d.ok, d.http_status, d.detail, d.at \
     FROM notify_deliveries d JOIN notify_channels c ON c.id = d.channel_id";

fn deliveries_from(rows: &[sqlx::any::AnyRow]) -> StoreResult<Vec<Delivery>> {
    rows.iter()
        .map(|r| {
            Ok(Delivery {
                id: r.try_get("id")?,
                source: r.try_get("source")?,
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
    /// Queue counts of one source record's messages.
    pub async fn queue_counts(&self, source: Source) -> StoreResult<QueueCounts> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM notify_outbox WHERE source = $1 AND source_id = $2 GROUP BY status",
        )
        .bind(source.feature)
        .bind(source.id)
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

    /// A person's police number and clear mobile number, for the SMS gateway only (the number is
    /// never logged; the log names the police number).
    pub async fn person_contact(&self, person: PersonId) -> StoreResult<(String, Option<String>)> {
        let row = sqlx::query("SELECT police_no, mobile_cipher FROM people WHERE id = $1")
            .bind(person.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let blob: Option<Vec<u8>> = row.try_get("mobile_cipher")?;
        Ok((row.try_get("police_no")?, blob.map(|b| self.crypto.decrypt(&b)).transpose()?))
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
