//! Delivery (`notify`): the channels a bureau configures (chat-bot group webhooks for WeCom,
//! DingTalk and Feishu, and SMS gateways), the outgoing queue with rate limits, leases, retries and
//! backoff, and the delivery log. Any feature sends through it:
//! - a group message (no personal data) with [`App::notify_groups`], or queued in its own
//!   transaction with the store's `queue_message`;
//! - a personal message (SMS) by queuing the person only: the feature registers a [`Sender`] in
//!   [`SENDERS`] that renders the text at send time, so no number and no link waits in the queue,
//!   and hears of each attempt.
//!
//! Each queued message names its feature and record (`Source`); the feature shows its own part of
//! the delivery log with [`App::deliveries_of`].

pub mod protocol;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Instant;

use bastion_core::error::{non_empty, opt_text, text};
use bastion_core::permission::perm;
use bastion_core::time::now_ms;
use bastion_core::FieldError;
/// The read models the web layer shows, and what a feature names its messages with.
pub use bastion_store::notify::{Channel, ChannelId, Delivery, QueueCounts, Source};
use bastion_store::notify::{NewChannel, OutboxItem};
use bastion_store::org::PersonId;
use bastion_store::Tx;
use serde::{Deserialize, Serialize};

use crate::{App, AppError, AppResult, Ctx};

pub const WECOM: &str = "wecom";
pub const DINGTALK: &str = "dingtalk";
pub const FEISHU: &str = "feishu";
pub const SMS: &str = "sms";
/// The kinds of channel, with their names.
pub const CHANNEL_KINDS: [(&str, &str); 4] =
    [(WECOM, "企业微信群机器人"), (DINGTALK, "钉钉群机器人"), (FEISHU, "飞书群机器人"), (SMS, "短信网关")];

/// The name of a feature that sends messages, for the delivery log.
pub fn source_name(feature: &str) -> &str {
    SENDERS.iter().find(|s| s.feature == feature).map_or(feature, |s| s.name)
}

/// The name of a channel kind (the code itself when unknown).
pub fn kind_name(kind: &str) -> &str {
    CHANNEL_KINDS.iter().find(|(k, _)| *k == kind).map_or(kind, |(_, n)| n)
}

/// Attempts per message before it is given up (the log keeps each).
pub const MAX_ATTEMPTS: i64 = 5;

type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// Renders a personal message: (app, channel, the feature's record, person) → text or the reason.
pub type RenderFn = for<'a> fn(&'a App, &'a Channel, Option<i64>, PersonId) -> Fut<'a, Result<String, String>>;
/// Hears of one attempt: (app, channel, message, accepted).
pub type AfterFn = for<'a> fn(&'a App, &'a Channel, &'a OutboxItem, bool) -> Fut<'a, ()>;

/// A feature that sends through the delivery queue.
pub struct Sender {
    /// The `source` its messages carry.
    pub feature: &'static str,
    /// Its name in the delivery log.
    pub name: &'static str,
    /// For personal messages (`None`: the feature sends group messages only): the text of a
    /// personal message to a person about the feature's record, rendered through the channel (its
    /// template and link address) at send time. `Err` is what the delivery log says instead (the
    /// message is then retried like a failed send).
    pub personal_text: Option<RenderFn>,
    /// Told after every attempt on one of its messages (`ok`: the channel accepted it).
    pub after_attempt: Option<AfterFn>,
}

/// Every feature that sends through the delivery queue.
pub const SENDERS: &[Sender] = &[
    crate::recall::NOTIFY_SENDER,
    crate::checkpoint::NOTIFY_SENDER,
    crate::supplies::NOTIFY_SENDER,
    crate::inspection::NOTIFY_SENDER,
    crate::duty::NOTIFY_SENDER,
    crate::duty::meeting::MEETING_SENDER,
    crate::duty::meeting::TASK_SENDER,
    crate::duty::swap::SWAP_SENDER,
    crate::report::NOTIFY_SENDER,
];

/// The channel form as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["kind", "name", "url"]))]
pub struct ChannelInput {
    #[schemars(extend("enum" = ["wecom", "dingtalk", "feishu", "sms"]))]
    pub kind: String,
    #[schemars(length(min = 2, max = 30))]
    pub name: String,
    #[schemars(extend("format" = "uri"))]
    pub url: String,
    pub secret: String,
    pub template: String,
    pub link_base: String,
    /// Minimum spacing between two messages, ms (empty: the bot's documented limit).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    #[schemars(range(min = 0, max = 600000))]
    pub min_interval_ms: String,
}

impl ChannelInput {
    /// The channel as typed, checked field by field (an empty secret: none).
    pub(crate) fn parse(&self) -> Result<NewChannel, Vec<FieldError>> {
        let mut e = Vec::new();
        let kind = self.kind.trim();
        if !CHANNEL_KINDS.iter().any(|(k, _)| *k == kind) {
            e.push(FieldError::new(
                "渠道类型",
                "渠道类型只能是：wecom（企业微信）、dingtalk（钉钉）、feishu（飞书）、sms（短信网关）",
            ));
        }
        let name = text("渠道名称", &self.name, 2, 30).map_err(|x| e.push(x)).ok();
        let url = self.url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || url.len() > 500
            || url.contains(char::is_whitespace)
        {
            e.push(FieldError::new("地址", "地址须为以 http:// 或 https:// 开头的 URL"));
        }
        let secret = opt_text("加签密钥", &self.secret, 200).map_err(|x| e.push(x)).ok().flatten();
        let template =
            opt_text("短信模板", &self.template, 300).map_err(|x| e.push(x)).ok().flatten().unwrap_or_default();
        if kind == SMS && !template.is_empty() && !template.contains("{link}") {
            e.push(FieldError::new("短信模板", "短信模板须包含 {link}（个人确认链接）"));
        }
        let link_base = self.link_base.trim().trim_end_matches('/').to_string();
        if kind == SMS && !(link_base.starts_with("http://") || link_base.starts_with("https://")) {
            e.push(FieldError::new(
                "链接前缀",
                "短信网关须填写本系统对外地址（如 https://bastion.example），用于生成个人链接",
            ));
        }
        let interval = match non_empty(&self.min_interval_ms) {
            None => protocol::default_interval_ms(kind),
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (0..=600_000).contains(&n) => n,
                _ => {
                    e.push(FieldError::new("发送间隔", "发送间隔须为 0 到 600000 之间的毫秒数"));
                    0
                }
            },
        };
        let Some(name) = name.filter(|_| e.is_empty()) else { return Err(e) };
        Ok(NewChannel {
            kind: kind.into(),
            name,
            url: url.into(),
            secret,
            template,
            link_base,
            min_interval_ms: interval,
        })
    }
}

/// This node's part of the delivery queue: the HTTP client, and each channel's last send from
/// this node (a first check of the rate limit; the cluster's is in the database).
pub struct Runtime {
    pub http: reqwest::Client,
    last_sent: Mutex<HashMap<ChannelId, Instant>>,
}

impl Default for Runtime {
    fn default() -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .connect_timeout(std::time::Duration::from_secs(3))
            .build()
            .unwrap_or_default();
        Self { http, last_sent: Mutex::default() }
    }
}

impl Runtime {
    /// Whether a channel may send now; records the send when it may.
    fn rate_ok(&self, id: ChannelId, min_interval_ms: i64) -> bool {
        let Ok(mut m) = self.last_sent.lock() else { return true };
        let now = Instant::now();
        match m.get(&id) {
            Some(t) if now.duration_since(*t).as_millis() < min_interval_ms.max(0) as u128 => false,
            _ => {
                m.insert(id, now);
                true
            }
        }
    }
}

impl App {
    pub async fn channels(&self, ctx: &Ctx) -> AppResult<Vec<Channel>> {
        ctx.scope(perm::NOTIFY_CHANNEL)?;
        Ok(self.store.channels().await?)
    }

    /// The channels and the last attempts on them, of every feature (the channel administrator
    /// sees the whole log: a personal message's line names the person by number only).
    pub async fn channels_and_log(&self, ctx: &Ctx) -> AppResult<(Vec<Channel>, Vec<Delivery>)> {
        ctx.scope(perm::NOTIFY_CHANNEL)?;
        Ok((self.store.channels().await?, self.store.recent_deliveries(50).await?))
    }

    pub async fn add_channel(&self, ctx: &Ctx, v: &ChannelInput) -> AppResult<ChannelId> {
        ctx.scope(perm::NOTIFY_CHANNEL)?;
        let c = v.parse().map_err(AppError::Invalid)?;
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_channel(&mut tx, &c).await?;
        self.audit(&mut tx, ctx, "notify", "新增通知渠道", &format!("channel:{} {}", id.0, c.name), &c.kind).await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Change a channel. An empty secret keeps the stored one (the form never shows it); queued
    /// messages go out through the changed channel.
    pub async fn update_channel(&self, ctx: &Ctx, id: ChannelId, v: &ChannelInput) -> AppResult<()> {
        ctx.scope(perm::NOTIFY_CHANNEL)?;
        let c = v.parse().map_err(AppError::Invalid)?;
        let mut tx = self.store.begin().await?;
        self.store.update_channel(&mut tx, id, &c).await?;
        self.audit(&mut tx, ctx, "notify", "修改通知渠道", &format!("channel:{} {}", id.0, c.name), &c.kind).await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// Delete a channel that has never carried a message. One that has keeps its place in the
    /// delivery log and the features' sent counts: it can be switched off, not deleted.
    pub async fn delete_channel(&self, ctx: &Ctx, id: ChannelId) -> AppResult<()> {
        ctx.scope(perm::NOTIFY_CHANNEL)?;
        let mut tx = self.store.begin().await?;
        let name = self.store.channel_name(&mut tx, id).await?;
        let used = self.store.channel_message_count(&mut tx, id).await?;
        if used > 0 {
            return Err(AppError::Conflict(format!(
                "渠道“{name}”已有 {used} 条消息的发送记录，删除会使发送记录和统计失真，不能删除；不再使用请点“停用”"
            )));
        }
        self.store.delete_channel(&mut tx, id).await?;
        self.audit(&mut tx, ctx, "notify", "删除通知渠道", &format!("channel:{} {name}", id.0), "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// Switch a channel off (its queue waits) or on again.
    pub async fn set_channel_enabled(&self, ctx: &Ctx, id: ChannelId, enabled: bool) -> AppResult<()> {
        ctx.scope(perm::NOTIFY_CHANNEL)?;
        let mut tx = self.store.begin().await?;
        self.store.set_channel_enabled(&mut tx, id, enabled).await?;
        let action = if enabled { "启用通知渠道" } else { "停用通知渠道" };
        self.audit(&mut tx, ctx, "notify", action, &format!("channel:{}", id.0), "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// Queue a group message (no personal data in `text`) to every enabled chat-bot group inside
    /// the caller's transaction. Returns the number of groups.
    pub(crate) async fn notify_groups(&self, tx: &mut Tx, source: Source, text: &str) -> AppResult<i64> {
        Ok(self.store.queue_to_groups(tx, source, text).await?)
    }

    /// The enabled channels, for a feature that queues its own messages.
    pub(crate) async fn enabled_channels(&self) -> AppResult<Vec<Channel>> {
        Ok(self.store.channels().await?.into_iter().filter(|c| c.enabled).collect())
    }

    /// A feature's part of the delivery log (see `Store::deliveries_of`); the caller has
    /// authorised the viewer and passes the units its scope covers.
    pub(crate) async fn deliveries_of(
        &self,
        source: Source,
        units: Option<&[i64]>,
        limit: i64,
    ) -> AppResult<Vec<Delivery>> {
        Ok(self.store.deliveries_of(source, units, limit).await?)
    }

    /// Send what is due at `now`, respecting each channel's spacing; failures are logged and
    /// retried with backoff ([`MAX_ATTEMPTS`] attempts), and never stop the feature that queued
    /// them. Returns messages attempted.
    pub async fn send_due(&self, now: i64) -> AppResult<usize> {
        let due = self.store.due_messages(now, 200).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let channels: HashMap<ChannelId, Channel> =
            self.store.channels().await?.into_iter().map(|c| (c.id, c)).collect();
        let mut attempted = 0;
        for item in due {
            let Some(c) = channels.get(&item.channel_id) else { continue };
            // The channel's spacing: this node's last send first (no database round trip while it
            // is too soon), then the cluster's, taken in the database.
            if !self.notify.rate_ok(c.id, c.min_interval_ms) {
                continue;
            }
            if c.min_interval_ms > 0 && !self.store.take_send_slot(c.id, now_ms(), c.min_interval_ms).await? {
                continue;
            }
            if !self.store.claim_message(item.id, now).await? {
                continue;
            }
            attempted += 1;
            let sender = SENDERS.iter().find(|s| s.feature == item.source);
            let (ok, status, detail, throttled) = self.send_one(c, &item, sender).await;
            if c.min_interval_ms > 0 {
                if let Err(e) = self.store.mark_sent(c.id, now_ms()).await {
                    tracing::warn!(channel = c.id.0, error = %e, "could not move the channel's next slot past this send");
                }
            }
            let retry_at = (!ok && item.attempts + 1 < MAX_ATTEMPTS).then(|| {
                let backoff = 2_000i64 << item.attempts.min(6);
                now_ms() + if throttled { backoff.max(60_000) } else { backoff }
            });
            self.record_attempt(&item, ok, status, &detail, retry_at).await?;
            if let Some(after) = sender.and_then(|s| s.after_attempt) {
                after(self, c, &item, ok).await;
            }
        }
        Ok(attempted)
    }

    /// Log an attempt and move its message on. The message has left already, so a failed write
    /// (a busy database) is tried again before giving up: a message whose attempt is never
    /// recorded is sent a second time when its lease runs out.
    async fn record_attempt(
        &self,
        item: &OutboxItem,
        ok: bool,
        status: i64,
        detail: &str,
        retry_at: Option<i64>,
    ) -> AppResult<()> {
        let mut tries = 0;
        loop {
            let done = async {
                let mut tx = self.store.begin().await?;
                self.store.record_attempt(&mut tx, item, ok, status, detail, retry_at).await?;
                bastion_store::commit(tx).await
            }
            .await;
            match done {
                Ok(()) => return Ok(()),
                Err(e) if tries < 3 => {
                    tries += 1;
                    tracing::warn!(message = item.id, error = %e, "recording a delivery attempt failed; trying again");
                    tokio::time::sleep(std::time::Duration::from_millis(250 << tries)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// One HTTP request: (accepted, HTTP status, what the log says, rate limited).
    async fn send_one(&self, c: &Channel, item: &OutboxItem, sender: Option<&Sender>) -> (bool, i64, String, bool) {
        let secret = match c.secret_cipher.as_deref().map(|b| self.store.crypto.decrypt(b)).transpose() {
            Ok(s) => s,
            Err(_) => return (false, 0, "密钥无法解密".into(), false),
        };
        let (url, body, who) = match item.person_id {
            Some(p) if c.kind == SMS => {
                let Some(render) = sender.and_then(|s| s.personal_text) else {
                    return (false, 0, "该类消息不能发短信".into(), false);
                };
                let (police_no, mobile) = match self.store.person_contact(p).await {
                    Ok(c) => c,
                    Err(_) => return (false, 0, "接收人已不存在".into(), false),
                };
                let Some(mobile) = mobile else { return (false, 0, format!("人员 {police_no} 无手机号"), false) };
                let text = match render(self, c, item.source_id, p).await {
                    Ok(t) => t,
                    Err(why) => return (false, 0, format!("人员 {police_no} {why}"), false),
                };
                let body = serde_json::json!({"mobile": mobile, "content": text});
                (c.url.clone(), body, format!("人员 {police_no} "))
            }
            None if c.kind != SMS => {
                let (url, body) = protocol::bot_request(&c.kind, &c.url, secret.as_deref(), &item.body, now_ms());
                (url, body, String::new())
            }
            _ => return (false, 0, "消息与渠道类型不符（短信须有接收人，群消息不能发到短信网关）".into(), false),
        };
        match self.notify.http.post(&url).json(&body).send().await {
            Err(e) => {
                let why = if e.is_timeout() {
                    "超时"
                } else if e.is_connect() {
                    "无法连接"
                } else {
                    "请求失败"
                };
                (false, 0, format!("{who}{why}"), false)
            }
            Ok(resp) => {
                let status = i64::from(resp.status().as_u16());
                let ok_http = resp.status().is_success();
                let text = resp.text().await.unwrap_or_default();
                if !ok_http {
                    return (false, status, format!("{who}HTTP {status}"), status == 429);
                }
                if c.kind == SMS {
                    return (true, status, format!("{who}网关已受理"), false);
                }
                match protocol::bot_answer(&c.kind, &text) {
                    Ok(()) => (true, status, "已送达群机器人".into(), false),
                    Err((m, throttled)) => (false, status, m, throttled),
                }
            }
        }
    }
}
