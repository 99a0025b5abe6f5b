//! The answer writer: acknowledgements and reports on post from many requests are committed
//! together through the store's group-commit writer, each request answered only after its batch
//! is durable; one audit record covers a batch. Boards are told of changes after the commit,
//! coalesced per order.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bastion_store::audit::AuditEntry;
use bastion_store::group_commit::{Batch, GroupCommit};
use bastion_store::recall::{Applied, OrderId, Transition};
use bastion_store::{Backend, Store, StoreResult, Tx};
use tokio::sync::broadcast;

use crate::AppResult;

/// Largest batch committed at once.
pub const MAX_BATCH: usize = 1000;
/// Boards hear about answers at most this often per order (one NOTIFY on PostgreSQL, not one per answer).
const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// The answers' batch: transitions and one audit record per transaction.
pub struct AnswerBatch;

impl Batch for AnswerBatch {
    type Item = Transition;
    type Output = Applied;
    fn apply<'a>(
        &'a self,
        store: &'a Store,
        tx: &'a mut Tx,
        items: &'a [Transition],
    ) -> impl std::future::Future<Output = StoreResult<Vec<Applied>>> + Send + 'a {
        apply_answers(store, tx, items)
    }
}

#[derive(Clone)]
pub struct Writer {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    changed: broadcast::Sender<OrderId>,
    /// Started by the first answer, on the caller's runtime.
    gc: OnceLock<GroupCommit<AnswerBatch>>,
    /// Orders answered since the last flush.
    dirty: Arc<Mutex<HashSet<OrderId>>>,
}

impl Writer {
    pub fn new(store: Store, changed: broadcast::Sender<OrderId>) -> Self {
        Self { inner: Arc::new(Inner { store, changed, gc: OnceLock::new(), dirty: Arc::default() }) }
    }

    fn writer(&self) -> &GroupCommit<AnswerBatch> {
        self.inner.gc.get_or_init(|| {
            let (store, changed, dirty) =
                (self.inner.store.clone(), self.inner.changed.clone(), self.inner.dirty.clone());
            tokio::spawn(flush(store, changed, dirty));
            GroupCommit::spawn(self.inner.store.clone(), AnswerBatch, MAX_BATCH)
        })
    }

    /// Apply one transition; answered after the batch holding it has committed durably.
    pub async fn submit(&self, t: Transition) -> AppResult<Applied> {
        let order = t.order;
        let out = self.writer().submit(t).await?;
        if matches!(out, Applied::Changed { .. }) {
            if let Ok(mut d) = self.inner.dirty.lock() {
                d.insert(order);
            }
        }
        Ok(out)
    }
}

/// Tell the boards (this node, or every node through PostgreSQL NOTIFY) which orders changed.
async fn flush(store: Store, changed: broadcast::Sender<OrderId>, dirty: Arc<Mutex<HashSet<OrderId>>>) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    loop {
        tick.tick().await;
        let orders: Vec<OrderId> = match dirty.lock() {
            Ok(mut d) => d.drain().collect(),
            Err(_) => return,
        };
        for id in orders {
            if store.backend == Backend::Postgres && store.notify_recall(id).await.is_ok() {
                continue;
            }
            let _ = changed.send(id);
        }
    }
}

/// Apply answers inside `tx` with one audit record naming every change (never a number).
pub async fn apply_answers(store: &Store, tx: &mut Tx, items: &[Transition]) -> StoreResult<Vec<Applied>> {
    let out = store.apply_recall_transitions(tx, items).await?;
    let changed: Vec<String> = items
        .iter()
        .zip(&out)
        .filter_map(|(it, a)| match a {
            Applied::Changed { to, .. } => Some(format!("{}:{}→{}", it.order.0, it.person.0, to.code())),
            _ => None,
        })
        .collect();
    if !changed.is_empty() {
        let mut via: Vec<&str> = items.iter().map(|i| i.via).collect();
        via.sort_unstable();
        via.dedup();
        let mut actors: Vec<&str> = items.iter().map(|i| i.actor.as_str()).collect();
        actors.sort_unstable();
        actors.dedup();
        let account = if actors.len() == 1 { actors[0].to_string() } else { format!("{} 人", actors.len()) };
        store
            .append_audit(
                tx,
                &AuditEntry {
                    account,
                    module: "recall".into(),
                    action: "召集应答".into(),
                    target: format!("{} 人次", changed.len()),
                    result: "成功".into(),
                    detail: format!("渠道 {}；订单:人员→状态 {}", via.join("/"), changed.join(" ")),
                    ..Default::default()
                },
            )
            .await?;
    }
    Ok(out)
}
