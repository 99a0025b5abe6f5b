//! Group commit: hot writes (screening registrations, recall acknowledgements) are handed to a
//! writer task that applies everything queued so far in one transaction, commits it durably
//! (`synchronous=FULL` on SQLite) and only then answers each request. Throughput comes from
//! batching, not from weaker durability.
//!
//! If a batch's transaction fails as a whole, the writer retries each item of it alone, so one bad
//! item never takes the others down with it and each caller gets its own answer.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Mutex};

use crate::db::{commit, Backend, Store, StoreError, StoreResult, Tx};

/// What a group-commit writer does with one batch.
pub trait Batch: Send + Sync + 'static {
    type Item: Send + Sync + 'static;
    type Output: Send + 'static;
    /// Apply all `items` inside `tx` and return one output per item, in order. Return `Err` only
    /// when the transaction itself failed; the writer then retries each item alone.
    fn apply<'a>(
        &'a self,
        store: &'a Store,
        tx: &'a mut Tx,
        items: &'a [Self::Item],
    ) -> impl Future<Output = StoreResult<Vec<Self::Output>>> + Send + 'a;
}

type Job<B> = (<B as Batch>::Item, oneshot::Sender<StoreResult<<B as Batch>::Output>>);

/// A queue in front of one (SQLite) or a few (PostgreSQL) writer tasks. Cheap to clone; the
/// writers stop once every handle is dropped and the queue is drained.
pub struct GroupCommit<B: Batch> {
    tx: mpsc::Sender<Job<B>>,
}

impl<B: Batch> Clone for GroupCommit<B> {
    fn clone(&self) -> Self {
        Self { tx: self.tx.clone() }
    }
}

/// How many writer tasks drain the queue: SQLite has a single writer connection; PostgreSQL
/// takes several transactions at once.
fn writers(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 1,
        Backend::Postgres => 4,
    }
}

impl<B: Batch> GroupCommit<B> {
    /// Start the writer task(s). `max_batch` bounds the rows in one transaction.
    pub fn spawn(store: Store, batch: B, max_batch: usize) -> Self {
        let max_batch = max_batch.max(1);
        let (tx, rx) = mpsc::channel::<Job<B>>(max_batch * 8);
        let rx = Arc::new(Mutex::new(rx));
        let batch = Arc::new(batch);
        for _ in 0..writers(store.backend) {
            let (rx, batch, store) = (rx.clone(), batch.clone(), store.clone());
            tokio::spawn(async move {
                let mut jobs: Vec<Job<B>> = Vec::with_capacity(max_batch);
                loop {
                    {
                        let mut rx = rx.lock().await;
                        if rx.recv_many(&mut jobs, max_batch).await == 0 {
                            return;
                        }
                    }
                    run_batch(&store, &*batch, std::mem::take(&mut jobs)).await;
                }
            });
        }
        Self { tx }
    }

    /// Queue `item` and wait until the transaction holding it has committed.
    pub async fn submit(&self, item: B::Item) -> StoreResult<B::Output> {
        let (done, answer) = oneshot::channel();
        self.tx.send((item, done)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Open("写入队列已停止".into())
}

async fn run_batch<B: Batch>(store: &Store, batch: &B, jobs: Vec<Job<B>>) {
    let (items, senders): (Vec<B::Item>, Vec<_>) = jobs.into_iter().unzip();
    match attempt(store, batch, &items).await {
        Ok(outputs) => {
            for (done, out) in senders.into_iter().zip(outputs) {
                let _ = done.send(Ok(out));
            }
        }
        Err(e) if items.len() == 1 => {
            if let Some(done) = senders.into_iter().next() {
                let _ = done.send(Err(e));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, rows = items.len(), "group commit failed; retrying rows one by one");
            for (item, done) in items.into_iter().zip(senders) {
                let one = std::slice::from_ref(&item);
                let result = attempt(store, batch, one).await.and_then(|mut v| v.pop().ok_or(StoreError::NotFound));
                let _ = done.send(result);
            }
        }
    }
}

async fn attempt<B: Batch>(store: &Store, batch: &B, items: &[B::Item]) -> StoreResult<Vec<B::Output>> {
    let mut tx = store.begin().await?;
    let outputs = batch.apply(store, &mut tx, items).await?;
    if outputs.len() != items.len() {
        return Err(StoreError::Conflict(format!("批量写入返回 {} 条结果，应为 {} 条", outputs.len(), items.len())));
    }
    commit(tx).await?;
    Ok(outputs)
}
