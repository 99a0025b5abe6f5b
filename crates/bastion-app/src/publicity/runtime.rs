//! Per-node state of the public site: view counts buffered in memory and the rendered pages.
//!
//! Counting a view takes a lock, adds one in memory and, on a serving node, appends it to the
//! node's view journal (see `journal`); a flusher (see `App::flush_views`, driven every second by
//! the web server and once more at shutdown) adds each article's buffered count to the database
//! with `views = views + n`, so several nodes add up exactly, and records in the same transaction
//! how far the journal is counted. A node killed with SIGKILL adds the views it answered since its
//! last flush from the journal when it starts again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use bastion_store::publicity::ArticleId;

use super::journal::{Journal, ROTATE_BYTES};

#[derive(Default)]
struct Counts {
    /// Views counted here and not yet handed to a flush.
    pending: HashMap<ArticleId, i64>,
    /// Views being written by the flush in progress.
    in_flight: HashMap<ArticleId, i64>,
    /// Each article's total as last read from the database.
    stored: HashMap<ArticleId, i64>,
    /// The serving node's journal (none in commands and tests that do not open one).
    journal: Option<Journal>,
    /// Journals replaced after being counted to their end, whose database rows the next flush drops.
    retired: Vec<String>,
}

/// Views handed to a flush, with how far the journal then reached.
pub(crate) struct Taken {
    pub(crate) counts: Vec<(ArticleId, i64)>,
    /// The journal's id and length when the counts were taken.
    pub(crate) mark: Option<(String, i64)>,
    pub(crate) retired: Vec<String>,
}

impl Taken {
    pub(crate) fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.retired.is_empty()
    }
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

/// A journal write failed: said in the log at most once a minute.
fn journal_failed(e: &std::io::Error) {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = u64::try_from(bastion_core::time::now_ms()).unwrap_or(0);
    let last = LAST.load(Ordering::Relaxed);
    if now.saturating_sub(last) >= 60_000
        && LAST.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
    {
        tracing::error!(
            "publicity: writing the view journal failed ({e}); views are kept in memory until the next flush"
        );
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl PublicityRuntime {
    /// Count one view of `id`; returns the live total (stored + buffered on this node).
    pub fn hit(&self, id: ArticleId) -> i64 {
        let mut c = lock(&self.counts);
        if let Some(j) = &mut c.journal {
            if let Err(e) = j.append(id, bastion_core::time::today()) {
                // Still counted in memory (and written within a second); only a crash before then
                // would lose it. Logged at most once a minute.
                journal_failed(&e);
            }
        }
        *c.pending.entry(id).or_insert(0) += 1;
        Self::live_of(&c, id)
    }

    /// Keep this node's views in `journal` from now on.
    pub(crate) fn use_journal(&self, journal: Journal) {
        lock(&self.counts).journal = Some(journal);
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
    pub(crate) fn take(&self) -> Taken {
        let mut c = lock(&self.counts);
        let taken = std::mem::take(&mut c.pending);
        for (id, n) in &taken {
            *c.in_flight.entry(*id).or_insert(0) += n;
        }
        let mark = c.journal.as_ref().map(|j| (j.id.clone(), i64::try_from(j.len).unwrap_or(i64::MAX)));
        Taken { counts: taken.into_iter().collect(), mark, retired: std::mem::take(&mut c.retired) }
    }

    /// The flush committed: the database now holds `totals`. A journal counted to its end and
    /// grown past its size is replaced by an empty one.
    pub(crate) fn flushed(&self, taken: &Taken, totals: &[(ArticleId, i64)]) {
        let mut c = lock(&self.counts);
        let counted_to_end = match (&c.journal, &taken.mark) {
            (Some(j), Some((id, at))) => *id == j.id && j.len == *at as u64 && j.len >= ROTATE_BYTES,
            _ => false,
        };
        if counted_to_end {
            if let Some(j) = &mut c.journal {
                match j.rotate() {
                    Ok(old) => c.retired.push(old),
                    Err(e) => journal_failed(&e),
                }
            }
        }
        for (id, n) in &taken.counts {
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
    pub(crate) fn failed(&self, taken: &Taken) {
        let mut c = lock(&self.counts);
        c.retired.extend(taken.retired.iter().cloned());
        for (id, n) in &taken.counts {
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
