//! Counting views on a serving node: the count in memory, the journal on disk, the flush that adds
//! both to the database once a second, and the replay of what a killed node left in its journal.

use std::path::Path;

use bastion_store::publicity::ArticleId;

use super::journal::Journal;
use crate::{App, AppResult};

impl App {
    /// Keep this node's views in the journal of the data directory `dir` from now on, after adding
    /// to the counts what an earlier run there answered and did not write (a node killed with
    /// SIGKILL or the machine losing power). Only `bastion serve` calls this; refused while another
    /// process uses the same directory's journal. Returns the views added from the earlier run.
    pub async fn open_view_journal(&self, dir: &Path) -> anyhow::Result<i64> {
        let (lock, old) = Journal::claim(dir)?;
        let mut replayed = 0;
        let mut retired = None;
        if let Some((id, bytes)) = old {
            let applied = self.store.view_journal_applied(&id).await?;
            let left = Journal::leftover(id, &bytes, applied);
            let mut tx = self.store.begin_counter().await?;
            let mut days: std::collections::BTreeMap<&str, Vec<(ArticleId, i64)>> = Default::default();
            for ((day, article), n) in &left.counts {
                days.entry(day.as_str()).or_default().push((*article, *n));
                replayed += n;
            }
            for (day, counts) in &days {
                self.store.add_views(&mut tx, day, counts).await?;
            }
            // Counted to its end before the file is replaced: a crash in between replays nothing twice.
            self.store.set_view_journal_applied(&mut tx, &left.id, i64::try_from(left.end).unwrap_or(i64::MAX)).await?;
            bastion_store::commit(tx).await?;
            retired = Some(left.id);
        }
        let journal = Journal::create(dir, lock)
            .map_err(|e| anyhow::anyhow!("无法创建浏览计数日志（数据目录 {}）：{e}", dir.display()))?;
        if let Some(old) = retired {
            let mut tx = self.store.begin_counter().await?;
            self.store.drop_view_journal(&mut tx, &old).await?;
            bastion_store::commit(tx).await?;
        }
        if replayed > 0 {
            tracing::info!(
                views = replayed,
                "publicity: views answered by the previous run and not yet counted were added from the journal"
            );
        }
        self.publicity.use_journal(journal);
        Ok(replayed)
    }

    /// Count one view; returns the live total to show.
    pub fn count_view(&self, id: ArticleId) -> i64 {
        self.publicity.hit(id)
    }

    /// Write the views buffered on this node (`views = views + n`). Returns how many were written.
    pub async fn flush_views(&self) -> AppResult<i64> {
        let _flushing = self.publicity.flush_lock.lock().await;
        self.flush_locked().await
    }

    async fn flush_locked(&self) -> AppResult<i64> {
        let taken = self.publicity.take();
        if taken.is_empty() {
            return Ok(0);
        }
        let day = bastion_core::time::today().to_string();
        let result = async {
            let mut tx = self.store.begin_counter().await?;
            let totals = self.store.add_views(&mut tx, &day, &taken.counts).await?;
            if let Some((journal, at)) = &taken.mark {
                self.store.set_view_journal_applied(&mut tx, journal, *at).await?;
            }
            for old in &taken.retired {
                self.store.drop_view_journal(&mut tx, old).await?;
            }
            bastion_store::commit(tx).await?;
            Ok::<_, bastion_store::StoreError>(totals)
        }
        .await;
        match result {
            Ok(totals) => {
                self.publicity.flushed(&taken, &totals);
                Ok(taken.counts.iter().map(|(_, n)| n).sum())
            }
            Err(e) => {
                self.publicity.failed(&taken);
                Err(e.into())
            }
        }
    }

    /// Once a second on every node: flush the views, read the totals other nodes wrote, and drop
    /// cached pages when an article changed or a scheduled one came due. The public pages are read
    /// from the read replica when one is in use, so the change is looked for there too, and the
    /// pages are also dropped when reads move between the replica and the primary: a cached page
    /// is never older than the data its source held a second ago.
    pub async fn publicity_tick(&self) -> AppResult<()> {
        {
            let _flushing = self.publicity.flush_lock.lock().await;
            self.flush_locked().await?;
            let known = self.publicity.known();
            for (id, total) in self.store.article_views(&known).await? {
                self.publicity.set_stored(id, total);
            }
        }
        let reads = self.store.for_reads();
        let on_replica = reads.url != self.store.url;
        let generation = (reads.public_generation(bastion_core::time::now_ms()).await?, on_replica);
        {
            let mut g = self.publicity.generation.lock().unwrap_or_else(|e| e.into_inner());
            if *g != generation {
                *g = generation;
                self.publicity.invalidate();
            }
        }
        Ok(())
    }
}
