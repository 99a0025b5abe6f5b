//! Small per-node caches for the people list: the unit tree (paths) and list totals. Any write
//! transaction begun on this node clears them; entries also expire after a few seconds so a write
//! on another node shows within that time.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(3);

/// Unit ids and their paths.
pub type UnitPaths = Arc<Vec<(i64, String)>>;

#[derive(Default)]
pub struct Caches {
    generation: AtomicU64,
    units: Mutex<Option<(u64, Instant, UnitPaths)>>,
    counts: Mutex<HashMap<String, (u64, Instant, i64)>>,
}

impl Caches {
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn fresh(&self, gen: u64, at: Instant) -> bool {
        gen == self.generation.load(Ordering::SeqCst) && at.elapsed() < TTL
    }

    pub fn units(&self) -> Option<UnitPaths> {
        let g = self.units.lock().ok()?;
        g.as_ref().filter(|(gen, at, _)| self.fresh(*gen, *at)).map(|(_, _, v)| v.clone())
    }

    /// Remember units read at generation `gen` (read before the query, so a write during the
    /// query leaves the entry already stale).
    pub fn put_units(&self, gen: u64, v: UnitPaths) {
        if let Ok(mut g) = self.units.lock() {
            *g = Some((gen, Instant::now(), v));
        }
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn count(&self, key: &str) -> Option<i64> {
        let g = self.counts.lock().ok()?;
        g.get(key).filter(|(gen, at, _)| self.fresh(*gen, *at)).map(|(_, _, n)| *n)
    }

    pub fn put_count(&self, gen: u64, key: String, n: i64) {
        if let Ok(mut g) = self.counts.lock() {
            if g.len() > 10_000 {
                g.clear();
            }
            g.insert(key, (gen, Instant::now(), n));
        }
    }
}
