//! The operator's work on a deployment: opening the database, readiness, backup and restore, key
//! rotation, closing. The command line and `serve` call these; nothing here is reachable from a page.

use std::path::{Path, PathBuf};

use crate::{App, AppError, AppResult, Ctx, Policy};

/// Create the data directory readable by its owner only (0700), as the key file is.
pub fn create_data_dir(dir: &Path) -> std::io::Result<()> {
    bastion_store::db::create_private_dir(dir)
}

/// A database URL with its password hidden, for logs and `config show`.
pub fn redact_database_url(url: &str) -> String {
    bastion_store::db::redact(url)
}

impl App {
    /// Open (and migrate) the database: the SQLite file under `data` unless `database` names a
    /// PostgreSQL URL; field-encryption keys from `key_file` (or the environment). The error is
    /// the operator's one line (an unreachable server, a missing directory, a bad key file).
    pub async fn open(data: &Path, database: Option<&str>, key_file: &Path, policy: Policy) -> anyhow::Result<App> {
        let crypto = bastion_store::Crypto::load(key_file).map_err(|e| anyhow::anyhow!("{e}"))?;
        let store = bastion_store::Store::open(data, database, crypto).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let app = App::new(store, policy);
        // The operator reads this at start-up: say what could not be read, not only that it failed.
        app.refresh_policy().await.map_err(|e| match e {
            AppError::Internal(cause) => anyhow::anyhow!("读取安全策略和自定义角色失败：{cause:#}"),
            other => anyhow::anyhow!("{other}"),
        })?;
        Ok(app)
    }

    /// Attach a PostgreSQL read replica for read-only work ([`App::for_reads`]); `max_lag_ms`:
    /// beyond this lag it is not used. The error names `read_database` and why.
    pub async fn attach_replica(&self, url: &str, max_lag_ms: i64) -> anyhow::Result<()> {
        self.store.attach_replica(url, max_lag_ms).await.map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// This application for read-only work: its reads go to the read replica when one is
    /// configured and caught up (see `bastion_store::replica`), its writes to the primary. For
    /// pages and data that do not follow the viewer's own write: the dashboard, the public site,
    /// lists and exports.
    pub fn for_reads(&self) -> App {
        App { store: self.store.for_reads(), ..self.clone() }
    }

    /// The read replica at its last check (`/readyz`, `/metrics`).
    pub fn replica_status(&self) -> bastion_store::replica::ReplicaStatus {
        self.store.replica_status()
    }

    /// Check the read replica's lag (every second on every node) and publish it on `/metrics`.
    pub(crate) async fn replica_check(&self) -> AppResult<()> {
        use bastion_store::replica::ReplicaState;
        let s = self.store.check_replica().await;
        if s.state != ReplicaState::None {
            metrics::gauge!("bastion_replica_lag_ms").set(s.lag_ms as f64);
            metrics::gauge!("bastion_replica_usable").set(if s.state == ReplicaState::Ok { 1.0 } else { 0.0 });
        }
        Ok(())
    }

    /// Whether the database answers (`/readyz`).
    pub async fn ping(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }

    /// Close the database's connections (after the last request).
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// An online copy of the SQLite database (`VACUUM INTO`); PostgreSQL is backed up with pg_dump.
    pub async fn backup(&self, dest: &Path) -> AppResult<()> {
        Ok(self.store.backup_sqlite(dest).await?)
    }

    /// A new current field-encryption key (old keys kept for reading), every stored number
    /// re-encrypted with it, and the rotation audited. Returns the new key's number and how many
    /// fields were rewritten.
    pub async fn rotate_keys(&self, ctx: &Ctx) -> AppResult<(u8, i64)> {
        let id = self.store.crypto.rotate_file()?;
        let n = self.store.reencrypt_all().await?;
        let mut tx = self.store.begin().await?;
        self.audit(&mut tx, ctx, "system", "轮换加密密钥", &format!("key:{id}"), &format!("重新加密 {n} 个字段"))
            .await?;
        bastion_store::commit(tx).await.map_err(AppError::from)?;
        Ok((id, n))
    }

    /// Whether the database holds no units yet (a fresh install: the demo may be created).
    pub async fn is_empty(&self) -> AppResult<bool> {
        Ok(self.store.units().await?.is_empty())
    }
}

/// A process's claim on a SQLite database: an advisory lock (`flock`) on `bastion.db.lock` beside
/// the database file. Every command that opens the database holds it shared for as long as it
/// runs (`bastion serve` for its whole life); `bastion restore` holds it exclusively, so it can
/// neither start while an instance uses the database nor be overtaken by one starting. The
/// kernel drops the lock when the process ends, however it ends (kill -9 included): no stale
/// lock file to clean up.
#[derive(Debug)]
pub struct DatabaseLock {
    _file: std::fs::File,
    pub path: PathBuf,
}

/// The lock file of the SQLite database `db`.
fn lock_path(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.lock", db.display()))
}

fn open_lock_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Take the shared claim on the SQLite database that `data`/`database` name (`None` for
/// PostgreSQL, or when the database's directory does not exist yet: opening it will say so).
/// Refused while `bastion restore` replaces the database.
pub fn lock_database_shared(data: &Path, database: Option<&str>) -> anyhow::Result<Option<DatabaseLock>> {
    let Some(db) = bastion_store::db::sqlite_file(data, database) else { return Ok(None) };
    if db.parent().is_some_and(|d| !d.as_os_str().is_empty() && !d.exists()) {
        return Ok(None);
    }
    let path = lock_path(&db);
    let file = open_lock_file(&path).map_err(|e| anyhow::anyhow!("无法打开锁文件 {}：{e}", path.display()))?;
    match try_flock(&file, false) {
        Ok(true) => Ok(Some(DatabaseLock { _file: file, path })),
        Ok(false) => anyhow::bail!(
            "数据库 {} 正在从备份恢复（bastion restore），请等恢复完成后再试 / the database is being restored; try again when the restore has finished",
            db.display()
        ),
        Err(e) => anyhow::bail!("无法锁定 {}：{e}", path.display()),
    }
}

/// Take the exclusive claim on the SQLite database `db`: refused while any Bastion process has it
/// open (a running `bastion serve`, a backup, a verification).
fn lock_database_exclusive(db: &Path) -> anyhow::Result<DatabaseLock> {
    let path = lock_path(db);
    let file = open_lock_file(&path).map_err(|e| anyhow::anyhow!("无法打开锁文件 {}：{e}", path.display()))?;
    match try_flock(&file, true) {
        Ok(true) => Ok(DatabaseLock { _file: file, path }),
        Ok(false) => anyhow::bail!(
            "拒绝恢复：数据库 {} 正在被运行中的 Bastion 使用（bastion serve 或其他 bastion 命令持有 {}）。\
             请先停止服务（systemctl stop bastion）再恢复 / refused: the database is in use by a running Bastion; \
             stop it first (systemctl stop bastion)",
            db.display(),
            path.display()
        ),
        Err(e) => anyhow::bail!("无法锁定 {}：{e}", path.display()),
    }
}

/// Take the exclusive advisory lock on `file` without waiting: `Ok(false)` when another process
/// (or another open of the file) holds it.
pub(crate) fn try_lock_exclusive(file: &std::fs::File) -> anyhow::Result<bool> {
    Ok(try_flock(file, true)?)
}

/// Take the advisory lock on `file` without waiting: `Ok(false)` when another process holds it in
/// a conflicting mode.
#[cfg(unix)]
fn try_flock(file: &std::fs::File, exclusive: bool) -> std::io::Result<bool> {
    use rustix::fs::{flock, FlockOperation};
    let op = if exclusive { FlockOperation::NonBlockingLockExclusive } else { FlockOperation::NonBlockingLockShared };
    match flock(file, op) {
        Ok(()) => Ok(true),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Elsewhere no claim is taken (Bastion is deployed on Linux).
#[cfg(not(unix))]
fn try_flock(_file: &std::fs::File, _exclusive: bool) -> std::io::Result<bool> {
    Ok(true)
}

/// What `bastion restore` did.
#[derive(Debug, Clone)]
pub struct Restored {
    /// The database file now in place.
    pub database: PathBuf,
    /// The schema version the backup was made at (it is migrated to this build's when older).
    pub backup_schema: i64,
    /// This build's schema version: the restored database's now.
    pub schema: i64,
    /// Audit records in the restored chain, all verified (the restore's own record included).
    pub audit_records: i64,
    /// Where the database that was replaced (`--force`) was kept.
    pub replaced: Option<PathBuf>,
    /// Where the data directory's view journal was set aside: the views it holds belong to the
    /// database that was there, not to the backup's.
    pub journal: Option<PathBuf>,
}

/// `bastion restore`: what to restore, and where from.
#[derive(Debug, Clone)]
pub struct RestoreRequest<'a> {
    /// A file written by `bastion backup`.
    pub backup: &'a Path,
    pub data: &'a Path,
    /// `--database` when it names a SQLite file; a PostgreSQL URL is refused.
    pub database: Option<&'a str>,
    /// Where the deployment's key file belongs (`DATA/keys/bastion.keys`).
    pub key_file: &'a Path,
    /// A copy of the deployment's key file to put there (the backup holds no keys).
    pub keys: Option<&'a Path>,
    /// Replace a database that holds data (it is kept under another name).
    pub force: bool,
}

/// SQLite's file header: every database starts with it.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

fn copy_private(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut src = std::fs::File::open(from)?;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut dst = o.open(to)?;
    std::io::copy(&mut src, &mut dst)?;
    dst.sync_all()
}

/// Remove a file that may not exist.
fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Make the renames in `dir` durable.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Restore a SQLite database from a `bastion backup` file into a new or empty data directory (or,
/// with `force`, over a database that holds data, which is kept under another name). Refused
/// while a Bastion process uses the database. The backup is copied beside the database, checked
/// (`PRAGMA integrity_check`, a schema this build knows), migrated, its audit chain verified with
/// the deployment's keys, the restore itself audited — and only then moved into place, so a bad
/// backup leaves the directory as it was.
pub async fn restore_sqlite(req: RestoreRequest<'_>) -> anyhow::Result<Restored> {
    let Some(db) = bastion_store::db::sqlite_file(req.data, req.database) else {
        anyhow::bail!(
            "bastion restore 只用于 SQLite；PostgreSQL 请用 pg_restore 恢复 pg_dump 的备份（见 docs/operations.md“备份与恢复”）"
        );
    };
    // The backup first: nothing in the data directory changes for a file that is not one.
    let mut head = [0u8; 16];
    {
        use std::io::Read;
        let mut f = std::fs::File::open(req.backup)
            .map_err(|e| anyhow::anyhow!("无法读取备份文件 {}：{e}", req.backup.display()))?;
        if f.read_exact(&mut head).is_err() || &head != SQLITE_MAGIC {
            anyhow::bail!("{} 不是 bastion backup 生成的 SQLite 备份文件（文件头不符）", req.backup.display());
        }
    }
    if req.database.is_none() {
        create_data_dir(req.data).map_err(|e| anyhow::anyhow!("无法创建数据目录 {}：{e}", req.data.display()))?;
    }
    let dir = match db.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        anyhow::bail!("数据库目录不存在：{}", dir.display());
    }
    let _lock = lock_database_exclusive(&db)?;

    // Whatever is there now must be empty, unless the operator said to replace it.
    if db.exists() && std::fs::metadata(&db).map(|m| m.len() > 0).unwrap_or(false) {
        match bastion_store::db::inspect_sqlite_file(&db, false).await {
            Ok(now) if now.holds_data() && !req.force => anyhow::bail!(
                "拒绝恢复：{} 已有数据（{} 个单位、{} 条审计记录）。确认要用备份覆盖时加 --force（现有数据库改名保留） \
                 / refused: the database already holds data; add --force to replace it (the current one is kept)",
                db.display(),
                now.units,
                now.audit_records
            ),
            Err(e) if !req.force => anyhow::bail!(
                "拒绝恢复：无法检查现有数据库 {}（{e}）；确认要用备份覆盖时加 --force（现有数据库改名保留）",
                db.display()
            ),
            _ => {}
        }
    }

    // The keys: the backup holds none, and without the deployment's own the numbers cannot be
    // read nor the audit chain's MACs checked. A given key file is used for the checks where it
    // lies and put in place only once the backup has passed them.
    let env_keys = std::env::var_os("BASTION_ENC_KEY").is_some() && std::env::var_os("BASTION_BIDX_KEY").is_some();
    let install_keys = match req.keys {
        Some(keys) => {
            let given = std::fs::read(keys).map_err(|e| anyhow::anyhow!("无法读取密钥文件 {}：{e}", keys.display()))?;
            match std::fs::read(req.key_file) {
                Ok(there) if there == given => false,
                Ok(_) if !req.force => anyhow::bail!(
                    "拒绝恢复：{} 已有另一份密钥文件；确认要换成 {} 时加 --force（现有密钥文件改名保留）",
                    req.key_file.display(),
                    keys.display()
                ),
                _ => true,
            }
        }
        None if !req.key_file.exists() && !env_keys => anyhow::bail!(
            "找不到密钥文件 {}：备份里没有密钥，恢复须用原部署的密钥文件。请用 --keys 指定它（或先复制到该位置） \
             / the backup holds no keys: pass the deployment's key file with --keys",
            req.key_file.display()
        ),
        None => false,
    };
    let check_keys = req.keys.unwrap_or(req.key_file);

    // Check the copy, not the original, and beside the database, so the final move is a rename.
    let tmp = sibling(&db, ".restoring");
    for f in [tmp.clone(), sibling(&tmp, "-wal"), sibling(&tmp, "-shm"), sibling(&tmp, "-journal")] {
        remove_if_there(&f)?;
    }
    // The view journal counts views into the database that was there; replayed into the backup's
    // it would add the views answered since the backup (or those of another database).
    let checked = check_copy(&req, check_keys, &tmp)
        .await
        .and_then(|v| crate::publicity::journal::set_aside(req.data, &format!("replaced-{}", stamp())).map(|j| (v, j)));
    let ((backup_schema, audit_records), journal) = match checked {
        Ok(v) => v,
        Err(e) => {
            for f in [tmp.clone(), sibling(&tmp, "-wal"), sibling(&tmp, "-shm")] {
                let _ = remove_if_there(&f);
            }
            return Err(e);
        }
    };

    if let Some(keys) = req.keys.filter(|_| install_keys) {
        if let Some(kdir) = req.key_file.parent() {
            create_data_dir(kdir).map_err(|e| anyhow::anyhow!("无法创建 {}：{e}", kdir.display()))?;
        }
        if req.key_file.exists() {
            std::fs::rename(req.key_file, sibling(req.key_file, &format!(".replaced-{}", stamp())))?;
        }
        let tmp_keys = sibling(req.key_file, ".restoring");
        remove_if_there(&tmp_keys)?;
        copy_private(keys, &tmp_keys)
            .map_err(|e| anyhow::anyhow!("无法写入密钥文件 {}：{e}", req.key_file.display()))?;
        std::fs::rename(&tmp_keys, req.key_file)?;
    }

    // Move the current database aside (with its WAL: a killed server's last commits may be there
    // only), then the checked copy into place.
    let mut replaced = None;
    if db.exists() {
        let kept = sibling(&db, &format!(".replaced-{}", stamp()));
        std::fs::rename(&db, &kept)?;
        if sibling(&db, "-wal").exists() {
            std::fs::rename(sibling(&db, "-wal"), sibling(&kept, "-wal"))?;
        }
        remove_if_there(&sibling(&db, "-shm"))?;
        replaced = Some(kept);
    }
    remove_if_there(&sibling(&db, "-wal"))?;
    remove_if_there(&sibling(&db, "-shm"))?;
    if sibling(&tmp, "-wal").exists() {
        std::fs::rename(sibling(&tmp, "-wal"), sibling(&db, "-wal"))?;
    }
    remove_if_there(&sibling(&tmp, "-shm"))?;
    std::fs::rename(&tmp, &db)?;
    sync_dir(&dir);
    let schema = bastion_store::db::known_schema_version(bastion_store::Backend::Sqlite);
    Ok(Restored { database: db, backup_schema, schema, audit_records, replaced, journal })
}

/// Copy the backup to `tmp`, check its integrity and schema, open it as the deployment would
/// (migrations included) and verify the audit chain; audit the restore in the copy. Returns the
/// backup's schema version and the number of audit records verified.
async fn check_copy(req: &RestoreRequest<'_>, keys: &Path, tmp: &Path) -> anyhow::Result<(i64, i64)> {
    copy_private(req.backup, tmp).map_err(|e| anyhow::anyhow!("无法复制备份到 {}：{e}", tmp.display()))?;
    let info = bastion_store::db::inspect_sqlite_file(tmp, true).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if info.integrity != ["ok"] {
        let lines = info.integrity.iter().take(5).cloned().collect::<Vec<_>>().join("；");
        anyhow::bail!("备份文件 {} 未通过完整性检查（PRAGMA integrity_check）：{lines}；未恢复", req.backup.display());
    }
    let Some(schema) = info.schema_version else {
        anyhow::bail!(
            "备份文件 {} 里没有 Bastion 的数据库结构（不是 bastion backup 生成的）；未恢复",
            req.backup.display()
        );
    };
    let url = format!("sqlite:{}", tmp.display());
    let app = App::open(req.data, Some(&url), keys, Policy::default()).await?;
    let result = async {
        let v = app.verify_audit(None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if let Some(b) = v.broken {
            anyhow::bail!(
                "备份的审计链校验失败：{b}（此前 {} 条完好）。若密钥文件不是这份备份所属部署的，校验码必然不符；未恢复",
                v.records
            );
        }
        let root =
            app.bureau().await.map_err(|e| anyhow::anyhow!("{e}"))?.map(|u| u.id).unwrap_or(crate::org::UnitId(0));
        let ctx = Ctx::cli(root);
        let name = req.backup.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let mut tx = app.store.begin().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        app.audit(
            &mut tx,
            &ctx,
            "system",
            "从备份恢复数据库",
            &name,
            &format!("审计链完整（{} 条），结构版本 {schema}", v.records),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        bastion_store::commit(tx).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let after = app.verify_audit(None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if let Some(b) = after.broken {
            anyhow::bail!("恢复后的审计链校验失败：{b}；未恢复");
        }
        Ok(after.records)
    }
    .await;
    app.close().await;
    Ok((schema, result?))
}

/// `20261206T074252`, for the names of replaced files.
fn stamp() -> String {
    jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S").to_string()
}
