//! The view journal: every view a serving node answers is appended to `views.journal` in its data
//! directory before the page goes out, so a node killed with SIGKILL between two flushes loses
//! nothing — the kernel still writes what the process handed it — and adds those views to the
//! counts when it starts again.
//!
//! The file is a header line `bastion-views 1 <id>` and then one 12-byte record per view: the
//! article id (i64) and the day in Beijing time as `yyyymmdd` (i32), both little-endian. The
//! database keeps, per journal id, how many bytes are already in the counts (`view_journals`),
//! written in the same transaction as the counts; replaying from there counts each view once. A
//! journal applied to its end is replaced by a new empty one (new id, renamed into place), so it
//! never grows past [`ROTATE_BYTES`] by much. A power cut can still lose the views of the last
//! second that the kernel had not yet written to disk; the journal is not synced per view.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use bastion_store::publicity::ArticleId;

const FILE: &str = "views.journal";
const LOCK: &str = "views.journal.lock";
const MAGIC: &str = "bastion-views 1 ";
const RECORD: u64 = 12;
/// A journal applied to its end and at least this long is replaced by an empty one.
pub(crate) const ROTATE_BYTES: u64 = 1 << 20;

pub(crate) struct Journal {
    pub(crate) id: String,
    file: File,
    /// Bytes written (header included): the position a flush records as applied.
    pub(crate) len: u64,
    dir: PathBuf,
    /// The exclusive claim on the journal, held while the node runs.
    _lock: File,
}

/// A journal file left by an earlier run: its id and its whole contents.
pub(crate) type OldJournal = (String, Vec<u8>);

/// What a journal left by an earlier run holds beyond what the database has.
pub(crate) struct Leftover {
    pub(crate) id: String,
    /// Where the complete records end (a record cut short by a crash is dropped).
    pub(crate) end: u64,
    /// Views per (day as `YYYY-MM-DD`, article).
    pub(crate) counts: BTreeMap<(String, ArticleId), i64>,
}

fn day_number(day: jiff::civil::Date) -> i32 {
    i32::from(day.year()) * 10_000 + i32::from(day.month()) * 100 + i32::from(day.day())
}

fn day_text(n: i32) -> String {
    format!("{:04}-{:02}-{:02}", n / 10_000, n / 100 % 100, n % 100)
}

fn header(id: &str) -> String {
    format!("{MAGIC}{id}\n")
}

/// `options` creating files readable by the service's user only, like the database next to them.
fn private(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    options
}

/// Hold the journal of `dir` exclusively: refused while another process holds it.
fn lock(dir: &Path) -> anyhow::Result<File> {
    use anyhow::Context;
    std::fs::create_dir_all(dir).with_context(|| format!("无法创建数据目录 {}", dir.display()))?;
    let lock_path = dir.join(LOCK);
    let lock = private(OpenOptions::new().create(true).truncate(false).write(true))
        .open(&lock_path)
        .with_context(|| format!("无法打开浏览计数日志的锁文件 {}", lock_path.display()))?;
    if !crate::maintenance::try_lock_exclusive(&lock)? {
        anyhow::bail!(
            "数据目录 {} 的浏览计数日志正被另一个 bastion serve 使用：每个节点须有自己的数据目录（--data） / \
             the view journal in {} is in use by another bastion serve: give each node its own --data directory",
            dir.display(),
            dir.display()
        );
    }
    Ok(lock)
}

/// Move the journal of `dir` out of the way, renamed with `suffix`: a database restored from a
/// backup must not be given the views this journal holds from after the backup (nor those of
/// another database). Refused while a node holds the journal. Returns where the journal was kept.
pub(crate) fn set_aside(dir: &Path, suffix: &str) -> anyhow::Result<Option<PathBuf>> {
    let path = dir.join(FILE);
    if !path.exists() {
        return Ok(None);
    }
    let _lock = lock(dir)?;
    let kept = dir.join(format!("{FILE}.{suffix}"));
    std::fs::rename(&path, &kept)
        .map_err(|e| anyhow::anyhow!("无法把浏览计数日志 {} 改名为 {}：{e}", path.display(), kept.display()))?;
    Ok(Some(kept))
}

impl Journal {
    /// Claim the journal of `dir` (refused while another process holds it) and read what an
    /// earlier run left in it.
    pub(crate) fn claim(dir: &Path) -> anyhow::Result<(File, Option<OldJournal>)> {
        use anyhow::Context;
        let lock = lock(dir)?;
        let path = dir.join(FILE);
        let old = match File::open(&path) {
            Ok(mut f) => {
                let mut bytes = Vec::new();
                f.read_to_end(&mut bytes).with_context(|| format!("无法读取浏览计数日志 {}", path.display()))?;
                let nl = bytes.iter().position(|b| *b == b'\n');
                let id = nl
                    .and_then(|i| std::str::from_utf8(&bytes[..i]).ok())
                    .and_then(|h| h.strip_prefix(MAGIC))
                    .map(str::to_string);
                match id {
                    Some(id) => Some((id, bytes)),
                    None => anyhow::bail!(
                        "浏览计数日志 {} 的文件头不对（不是 Bastion 写的，或已损坏）：请检查后移走该文件再启动 / \
                         {} does not start with a Bastion view-journal header: check it and move it away",
                        path.display(),
                        path.display()
                    ),
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("无法打开浏览计数日志 {}", path.display())),
        };
        Ok((lock, old))
    }

    /// The views in `bytes` (a whole journal file) past `applied` bytes.
    pub(crate) fn leftover(id: String, bytes: &[u8], applied: Option<i64>) -> Leftover {
        let head = bytes.iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| i + 1) as u64;
        let from = applied.map_or(head, |a| u64::try_from(a).unwrap_or(head).max(head));
        let whole = head + (bytes.len() as u64 - head) / RECORD * RECORD;
        let mut counts = BTreeMap::new();
        let mut at = from;
        while at + RECORD <= whole {
            let r = &bytes[at as usize..(at + RECORD) as usize];
            let article = i64::from_le_bytes(r[..8].try_into().unwrap_or_default());
            let day = i32::from_le_bytes(r[8..].try_into().unwrap_or_default());
            *counts.entry((day_text(day), ArticleId(article))).or_insert(0) += 1;
            at += RECORD;
        }
        Leftover { id, end: whole.max(from), counts }
    }

    /// A new, empty journal renamed into place (over an applied one).
    pub(crate) fn create(dir: &Path, lock: File) -> std::io::Result<Journal> {
        let id = uuid::Uuid::now_v7().simple().to_string();
        let tmp = dir.join(format!("{FILE}.new"));
        let head = header(&id);
        {
            let mut f = private(OpenOptions::new().write(true).create(true).truncate(true)).open(&tmp)?;
            f.write_all(head.as_bytes())?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, dir.join(FILE))?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        let file = OpenOptions::new().append(true).open(dir.join(FILE))?;
        Ok(Journal { id, file, len: head.len() as u64, dir: dir.to_path_buf(), _lock: lock })
    }

    /// Append one view (one `write`, so a process killed mid-way leaves whole records).
    pub(crate) fn append(&mut self, id: ArticleId, day: jiff::civil::Date) -> std::io::Result<()> {
        let mut r = [0u8; RECORD as usize];
        r[..8].copy_from_slice(&id.0.to_le_bytes());
        r[8..].copy_from_slice(&day_number(day).to_le_bytes());
        self.file.write_all(&r)?;
        self.len += RECORD;
        Ok(())
    }

    /// Replace this journal, applied to its end, by an empty one; returns the old id.
    pub(crate) fn rotate(&mut self) -> std::io::Result<String> {
        let lock = self._lock.try_clone()?;
        let next = Journal::create(&self.dir, lock)?;
        Ok(std::mem::replace(self, next).id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_by_day_and_article_and_a_cut_record_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let (lock, old) = Journal::claim(dir.path()).unwrap();
        assert!(old.is_none());
        let mut j = Journal::create(dir.path(), lock).unwrap();
        let d1 = jiff::civil::date(2026, 12, 7);
        let d2 = jiff::civil::date(2026, 12, 8);
        j.append(ArticleId(5), d1).unwrap();
        j.append(ArticleId(5), d1).unwrap();
        let half = j.len;
        j.append(ArticleId(9), d2).unwrap();
        let id = j.id.clone();
        drop(j);
        let mut bytes = std::fs::read(dir.path().join(FILE)).unwrap();
        bytes.extend_from_slice(&[1, 2, 3]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "only the service's user reads the journal");
        }
        let all = Journal::leftover(id.clone(), &bytes, None);
        assert_eq!(all.end as usize, bytes.len() - 3);
        assert_eq!(all.counts.get(&("2026-12-07".into(), ArticleId(5))), Some(&2));
        assert_eq!(all.counts.get(&("2026-12-08".into(), ArticleId(9))), Some(&1));
        let rest = Journal::leftover(id, &bytes, Some(half as i64));
        assert_eq!(rest.counts.len(), 1);
        assert_eq!(rest.counts.get(&("2026-12-08".into(), ArticleId(9))), Some(&1));
    }

    #[test]
    fn a_second_process_cannot_claim_the_same_journal() {
        let dir = tempfile::tempdir().unwrap();
        let (lock, _) = Journal::claim(dir.path()).unwrap();
        let err = Journal::claim(dir.path()).map(|_| ()).unwrap_err().to_string();
        assert!(err.contains("另一个 bastion serve"), "{err}");
        drop(lock);
        assert!(Journal::claim(dir.path()).is_ok());
    }

    #[test]
    fn a_file_that_is_not_a_journal_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), b"hello\n").unwrap();
        let err = Journal::claim(dir.path()).map(|_| ()).unwrap_err().to_string();
        assert!(err.contains("views.journal") && err.contains("文件头"), "{err}");
    }
}
