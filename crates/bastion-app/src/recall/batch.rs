//! The answer writer: acknowledgements and reports on post from many requests are committed
//! together (group commit), each request answered only after its batch is durable. One audit
//! record covers a batch. A batch that fails is retried item by item, so one bad item cannot
//! fail its neighbours.

use std::sync::{Arc, Mutex};

use bastion_store::audit::AuditEntry;
use bastion_store::recall::{Applied, OrderId, Transition};
use bastion_store::{Backend, Store, StoreResult, Tx};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::{AppError, AppResult};

/// Largest batch committed at once.
pub const MAX_BATCH: usize = 1000;

type Job = (Transition, oneshot::Sender<StoreResult<Applied>>);

#[derive(Clone)]
pub struct Writer {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    changed: broadcast::Sender<OrderId>,
    tx: mpsc::Sender<Job>,
    /// Taken by the first submit, which starts the writer task on the caller's runtime.
    rx: Mutex<Option<mpsc::Receiver<Job>>>,
}

impl Writer {
    pub fn new(store: Store, changed: broadcast::Sender<OrderId>) -> Self {
        let (tx, rx) = mpsc::channel(MAX_BATCH * 8);
        Self { inner: Arc::new(Inner { store, changed, tx, rx: Mutex::new(Some(rx)) }) }
    }

    fn ensure_started(&self) {
        let rx = self.inner.rx.lock().ok().and_then(|mut g| g.take());
        if let Some(rx) = rx {
            tokio::spawn(run(self.inner.store.clone(), self.inner.changed.clone(), rx));
        }
    }

    /// Apply one transition; answered after the batch holding it has committed.
    pub async fn submit(&self, t: Transition) -> AppResult<Applied> {
        self.ensure_started();
        let (otx, orx) = oneshot::channel();
        self.inner.tx.send((t, otx)).await.map_err(|_| AppError::Internal(anyhow::anyhow!("应答写入队列已关闭")))?;
        let r = orx.await.map_err(|_| AppError::Internal(anyhow::anyhow!("应答写入任务已退出")))?;
        Ok(r?)
    }
}

async fn run(store: Store, changed: broadcast::Sender<OrderId>, mut rx: mpsc::Receiver<Job>) {
    let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let items: Vec<Transition> = jobs.iter().map(|(t, _)| t.clone()).collect();
        let mut orders: Vec<OrderId> = items.iter().map(|t| t.order).collect();
        orders.sort_unstable();
        orders.dedup();
        match apply_batch(&store, &items).await {
            Ok(out) => {
                for ((_, reply), a) in jobs.drain(..).zip(out) {
                    let _ = reply.send(Ok(a));
                }
            }
            Err(e) => {
                tracing::warn!("recall answer batch of {} failed ({e}); retrying one by one", items.len());
                for (t, reply) in jobs.drain(..) {
                    let r = apply_batch(&store, std::slice::from_ref(&t)).await;
                    let _ = reply.send(r.and_then(|mut v| v.pop().ok_or(bastion_store::StoreError::NotFound)));
                }
            }
        }
        for id in orders {
            if store.backend == Backend::Postgres && store.notify_recall(id).await.is_ok() {
                continue;
            }
            let _ = changed.send(id);
        }
    }
}

async fn apply_batch(store: &Store, items: &[Transition]) -> StoreResult<Vec<Applied>> {
    let mut tx = store.begin().await?;
    let out = apply_answers(store, &mut tx, items).await?;
    bastion_store::commit(tx).await?;
    Ok(out)
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
