//! The recall hub: in-process fan-out of "this order changed", the answer writer, and the live
//! headline the boards' event streams share.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bastion_core::permission::perm;
use bastion_core::recall::{RecallState, Tally};
use bastion_store::org::UnitId;
use bastion_store::recall::{Order, OrderId};

use super::batch;
use crate::{App, AppResult, Ctx};

/// An order's counts by unit and state, and when their read started.
type Counts = (Instant, Arc<Vec<(UnitId, RecallState, i64)>>);

/// In-process fan-out of "this order changed" to the open boards, and the answer writer.
#[derive(Clone)]
pub struct Hub {
    tx: tokio::sync::broadcast::Sender<OrderId>,
    pub acks: batch::Writer,
    /// The last counts read per order, shared by every open board of it.
    counts: Arc<Mutex<HashMap<OrderId, Counts>>>,
}

impl Hub {
    pub fn new(store: bastion_store::Store) -> Self {
        let (tx, _) = tokio::sync::broadcast::channel(1024);
        let acks = batch::Writer::new(store, tx.clone());
        Self { tx, acks, counts: Default::default() }
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<OrderId> {
        self.tx.subscribe()
    }

    pub fn changed(&self, id: OrderId) {
        let _ = self.tx.send(id);
    }
}

impl App {
    /// The headline of an order for a live board: counts by state within the viewer's scope,
    /// from a read that started at or after `since` (the moment the viewer heard of the change,
    /// which was after its commit). Every board of the order that heard the same change shares
    /// one read, however many are open.
    pub async fn recall_headline(&self, ctx: &Ctx, id: OrderId, since: Instant) -> AppResult<(Order, Tally)> {
        let scope = ctx.scope(perm::RECALL_READ)?;
        let order = self.store.recall_order(id).await?;
        let visible = self.visible_units(&scope).await?;
        let fresh =
            self.recall.counts.lock().ok().and_then(|m| m.get(&id).filter(|c| c.0 >= since).map(|c| c.1.clone()));
        let counts = match fresh {
            Some(c) => c,
            None => {
                let started = Instant::now();
                let c = Arc::new(self.store.recall_counts(id).await?);
                if let Ok(mut m) = self.recall.counts.lock() {
                    if m.get(&id).is_none_or(|old| old.0 < started) {
                        m.insert(id, (started, c.clone()));
                    }
                }
                c
            }
        };
        let mut tally = Tally::default();
        for (u, s, n) in counts.iter() {
            if visible.as_ref().is_none_or(|v| v.contains(&u.0)) {
                tally.add(*s, *n);
            }
        }
        Ok((order, tally))
    }
}
