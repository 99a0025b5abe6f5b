//! Per-node state of the public site: view counts buffered in memory and the rendered pages.
//!
//! Counting a view takes a lock and adds one in memory; a flusher (see `App::flush_views`,
//! driven every second by the web server and once more at shutdown) adds each article's
//! buffered count to the database with `views = views + n`, so several nodes add up exactly.
//! A node killed with SIGKILL loses at most the views of its last flush interval.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use bastion_store::publicity::ArticleId;

#[derive(Default)]
struct Counts {
    /// Views counted here and not yet handed to a flush.
    pending: HashMap<ArticleId, i64>,
    /// Views being written by the flush in progress.
    in_flight: HashMap<ArticleId, i64>,
    /// Each article's total as last read from the database.
    stored: HashMap<ArticleId, i64>,
}

/// A rendered public page, split around the live view count (`head` + count + `tail`).
#[derive(Debug, Clone)]
pub struct CachedPage {
    pub article: Option<ArticleId>,
    pub content_type: &'static str,
    pub head: String,
    pub tail: String,
}

/// Most rendered pages kept per node (the whole site in a few languages and host names).
const MAX_PAGES: usize = 2048;

#[derive(Default)]
pub struct PublicityRuntime {
    counts: Mutex<Counts>,
    /// Bumped whenever what the public site shows may have changed; cached pages of an older
    /// epoch are dropped.
    epoch: AtomicU64,
    pages: RwLock<(u64, HashMap<String, Arc<CachedPage>>)>,
    /// The database's view of the public site at the last check (see `Store::public_generation`).
    pub(crate) generation: Mutex<((i64, i64), bool)>,
    /// Held by a flush from taking the counts to recording the result, so a flush asked for while
    /// another runs waits for it (and then writes what is left).
    pub(crate) flush_lock: tokio::sync::Mutex<()>,
    /// Visitors already counted today (only when per-visitor de-duplication is on): hashes.
    seen: Mutex<(String, std::collections::HashSet<u64>)>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl PublicityRuntime {
    /// Count one view of `id`; returns the live total (stored + buffered on this node).
    pub fn hit(&self, id: ArticleId) -> i64 {
        let mut c = lock(&self.counts);
        *c.pending.entry(id).or_insert(0) += 1;
        Self::live_of(&c, id)
    }

    /// The live total without counting.
    pub fn live(&self, id: ArticleId) -> i64 {
        Self::live_of(&lock(&self.counts), id)
    }

    fn live_of(c: &Counts, id: ArticleId) -> i64 {
        c.stored.get(&id).copied().unwrap_or(0)
            + c.pending.get(&id).copied().unwrap_or(0)
            + c.in_flight.get(&id).copied().unwrap_or(0)
    }

    /// Record the stored total read from the database (when it is higher than what we knew).
    pub fn set_stored(&self, id: ArticleId, total: i64) {
        let mut c = lock(&self.counts);
        let e = c.stored.entry(id).or_insert(0);
        *e = (*e).max(total);
    }

    /// Whether this visitor (a hash of address, browser and article) was already counted today.
    pub fn seen_today(&self, day: &str, key: u64) -> bool {
        let mut s = lock(&self.seen);
        if s.0 != day {
            s.0 = day.to_string();
            s.1.clear();
        }
        !s.1.insert(key)
    }

    /// Hand the buffered counts to a flush.
    pub(crate) fn take(&self) -> Vec<(ArticleId, i64)> {
        let mut c = lock(&self.counts);
        let taken = std::mem::take(&mut c.pending);
        for (id, n) in &taken {
            *c.in_flight.entry(*id).or_insert(0) += n;
        }
        taken.into_iter().collect()
    }

    /// The flush committed: the database now holds `totals`.
    pub(crate) fn flushed(&self, taken: &[(ArticleId, i64)], totals: &[(ArticleId, i64)]) {
        let mut c = lock(&self.counts);
        for (id, n) in taken {
            if let Some(v) = c.in_flight.get_mut(id) {
                *v -= n;
                if *v <= 0 {
                    c.in_flight.remove(id);
                }
            }
        }
        for (id, t) in totals {
            let e = c.stored.entry(*id).or_insert(0);
            *e = (*e).max(*t);
        }
    }

    /// The flush failed: put the counts back so the next flush writes them.
    pub(crate) fn failed(&self, taken: &[(ArticleId, i64)]) {
        let mut c = lock(&self.counts);
        for (id, n) in taken {
            if let Some(v) = c.in_flight.get_mut(id) {
                *v -= n;
                if *v <= 0 {
                    c.in_flight.remove(id);
                }
            }
            *c.pending.entry(*id).or_insert(0) += n;
        }
    }

    /// Articles whose counts are shown on this node (to refresh their stored totals).
    pub(crate) fn known(&self) -> Vec<ArticleId> {
        lock(&self.counts).stored.keys().copied().collect()
    }

    /// Views buffered on this node and not yet stored.
    pub fn unflushed(&self) -> i64 {
        let c = lock(&self.counts);
        c.pending.values().sum::<i64>() + c.in_flight.values().sum::<i64>()
    }

    /// Drop every cached page.
    pub fn invalidate(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
    }

    pub fn page(&self, key: &str) -> Option<Arc<CachedPage>> {
        let epoch = self.epoch.load(Ordering::SeqCst);
        let p = self.pages.read().unwrap_or_else(|e| e.into_inner());
        if p.0 != epoch {
            return None;
        }
        p.1.get(key).cloned()
    }

    /// Cache a page rendered at `epoch` (read with [`Self::epoch`] before loading its data).
    pub fn put_page(&self, epoch: u64, key: &str, page: Arc<CachedPage>) {
        let mut p = self.pages.write().unwrap_or_else(|e| e.into_inner());
        if p.0 != epoch {
            if epoch != self.epoch.load(Ordering::SeqCst) {
                return;
            }
            p.0 = epoch;
            p.1.clear();
        }
        // Unknown paths are not cached, so the map stays as small as the site; pages are also keyed
        // by the Host header (when no public URL is configured), so a flood of made-up hosts must
        // not grow it without bound.
        if p.1.len() >= MAX_PAGES {
            p.1.clear();
        }
        p.1.insert(key.to_string(), page);
    }

    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Arc<CachedPage> {
        Arc::new(CachedPage { article: None, content_type: "text/html", head: "a".into(), tail: "b".into() })
    }

    #[test]
    fn page_cache_stays_bounded_under_made_up_hosts() {
        let rt = PublicityRuntime::default();
        let epoch = rt.epoch();
        for i in 0..(3 * MAX_PAGES) {
            rt.put_page(epoch, &format!("home|zh|http://h{i}.example"), page());
        }
        let kept = rt.pages.read().map(|p| p.1.len()).unwrap_or(usize::MAX);
        assert!(kept <= MAX_PAGES, "{kept} pages kept");
        // The page just stored is served; a page from before an invalidation is not.
        assert!(rt.page(&format!("home|zh|http://h{}.example", 3 * MAX_PAGES - 1)).is_some());
        rt.invalidate();
        assert!(rt.page(&format!("home|zh|http://h{}.example", 3 * MAX_PAGES - 1)).is_none());
    }
}
