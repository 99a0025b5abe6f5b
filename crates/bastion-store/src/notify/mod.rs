//! Delivery (`notify`): the channels (chat-bot group webhooks and SMS gateways), the outgoing
//! queue with leases and retries, and the delivery log. Every queued message names the feature it
//! belongs to (`source`: `recall`, `checkpoint`, …) and, where there is one, that feature's record
//! (`source_id`: an order, a fever case); the features read their own part of the log by it.

mod queue;

use serde::Serialize;

use crate::org::PersonId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct ChannelId(pub i64);

/// The feature a message belongs to and, where there is one, its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    pub feature: &'static str,
    pub id: Option<i64>,
}

impl Source {
    pub fn new(feature: &'static str, id: impl Into<Option<i64>>) -> Self {
        Self { feature, id: id.into() }
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(rename = "NotifyChannel")]
pub struct Channel {
    pub id: ChannelId,
    pub kind: String,
    pub name: String,
    /// The URL with its key part hidden.
    pub url_masked: String,
    #[serde(skip)]
    pub url: String,
    #[serde(skip)]
    pub secret_cipher: Option<Vec<u8>>,
    pub template: String,
    /// SMS: the address the personal links start with (`https://bastion.example/`).
    pub link_base: String,
    pub min_interval_ms: i64,
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub struct NewChannel {
    pub kind: String,
    pub name: String,
    pub url: String,
    pub secret: Option<String>,
    pub template: String,
    pub link_base: String,
    pub min_interval_ms: i64,
}

/// A queued message, due to be sent.
#[derive(Debug, Clone)]
pub struct OutboxItem {
    pub id: i64,
    /// The feature the message belongs to (`recall`, `checkpoint`, …).
    pub source: String,
    /// That feature's record (an order, a fever case), if any.
    pub source_id: Option<i64>,
    pub channel_id: ChannelId,
    /// Set for a personal message (SMS): its text is rendered at send time by the source feature.
    pub person_id: Option<PersonId>,
    pub body: String,
    pub attempts: i64,
}

/// One attempt to deliver one message, as the delivery log shows it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Delivery {
    pub id: i64,
    /// The feature the message belonged to.
    pub source: String,
    pub channel: String,
    pub kind: String,
    pub attempt: i64,
    pub ok: bool,
    pub http_status: i64,
    pub detail: String,
    pub at: i64,
}

/// Queue counts of one source record (an order's messages).
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct QueueCounts {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
}

/// How long a message taken for sending stays with the node that took it (the HTTP client gives
/// up after 13 s at most).
pub const SEND_LEASE_MS: i64 = 60_000;
