//! Opening the store: SQLite under the data directory (WAL, foreign keys, synchronous=FULL, one
//! writer connection) or PostgreSQL from a URL; embedded migrations run at open.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Connection, Executor};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::crypto::Crypto;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Open(String),
    #[error("已存在：{field}“{value}”")]
    Duplicate { field: &'static str, value: String },
    #[error("记录不存在")]
    NotFound,
    #[error("数据冲突：{0}")]
    Conflict(String),
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("加密错误：{0}")]
    Crypto(String),
}

pub type StoreResult<T> = Result<T, StoreError>;
pub type Tx = sqlx::Transaction<'static, Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// Append `rows` groups of `cols` placeholders, `(…),(…)`, numbered in order. SQLite gets plain
    /// `?`: with named `$n` sqlx asks SQLite for every parameter's name, which SQLite finds by a
    /// linear scan, so a many-row INSERT would cost time quadratic in its parameters. Each
    /// placeholder must therefore be bound exactly once, in order. PostgreSQL gets `$1, $2, …`.
    pub fn push_values(self, sql: &mut String, rows: usize, cols: usize) {
        use std::fmt::Write;
        sql.reserve(rows * cols * 7);
        for i in 0..rows {
            sql.push_str(if i == 0 { "(" } else { ",(" });
            for j in 0..cols {
                if j > 0 {
                    sql.push(',');
                }
                match self {
                    Backend::Sqlite => sql.push('?'),
                    Backend::Postgres => {
                        let _ = write!(sql, "${}", i * cols + j + 1);
                    }
                }
            }
            sql.push(')');
        }
    }
}

/// Handles to the database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) read: AnyPool,
    pub(crate) write: AnyPool,
    pub backend: Backend,
    pub crypto: Arc<Crypto>,
    /// For SQLite, the database file (used by backup).
    pub sqlite_path: Option<PathBuf>,
    pub url: String,
    pub(crate) caches: Arc<crate::cache::Caches>,
    /// PostgreSQL only: native connections for the statements the `Any` driver cannot express
    /// (array parameters), used by the registration writer's one-statement batch.
    pub(crate) pg: Option<sqlx::PgPool>,
    /// PostgreSQL only: a read replica for read-only work (see [`Store::for_reads`]), shared by
    /// every clone, attached once at start-up.
    pub(crate) replica: Arc<std::sync::OnceLock<crate::replica::Replica>>,
}

/// PostgreSQL connections per node: for reads, and for write transactions.
const PG_READERS: u32 = 12;
const PG_WRITERS: u32 = 8;
/// Native PostgreSQL connections (see `Store::pg`): the writer uses one at a time.
const PG_NATIVE: u32 = 2;
/// PostgreSQL connections idle longer than this are pinged before use.
const PING_IF_IDLE: Duration = Duration::from_secs(2);

static MIGRATE_SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static MIGRATE_PG: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Migrations whose comments were reworded after they had been applied, with the SHA-384 of the
/// earlier file (their SQL is unchanged): see [`Store::accept_reworded`].
const REWORDED: &[(Backend, i64, &str)] = &[
    (
        Backend::Sqlite,
        4,
        "1a41b45ebf46ede0cb72b339737e257fa77ff8d0ad005aae15ea0a79c3f4c3bf41c730cf9f5f9f0e10805bb100e2878d",
    ),
    (
        Backend::Sqlite,
        5,
        "12b1920ecdaca611dedce69a72fd46e8ec14537809b346d88aa9c6a84b1fc6197933de6206f7aa38c57495b3bc6c2589",
    ),
    (
        Backend::Postgres,
        4,
        "f5d2944403df1592d28737749d47ba50461d47c54b762b87a66ec53eec0a807f6223fc8082e14cc68a22c1ed92237d70",
    ),
    (
        Backend::Postgres,
        5,
        "36cb015770f32dfe554ba2f777c8b98817bc74923fd6ce307195d9f8e4a2ee55140be62b313f2453cc1378d951df2fc4",
    ),
];

/// Where the data lives: a PostgreSQL URL, or a SQLite file (default `DATA/bastion.db`).
/// Create `dir` (and missing parents) readable by the owner only (0700 on Unix): it holds the
/// database and the keys.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// The SQLite file and its WAL and shared-memory files: owner read/write only (0600). The file is
/// created 0600 before SQLite opens it (SQLite gives its -wal and -shm files the same mode), and an
/// existing database made world-readable by an earlier version is tightened.
fn private_sqlite_files(path: &Path) -> StoreResult<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| StoreError::Open(format!("无法创建数据库文件 {}：{e}", path.display())))?;
        }
        for suffix in ["", "-wal", "-shm"] {
            let f = PathBuf::from(format!("{}{suffix}", path.display()));
            if f.exists() {
                std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| StoreError::Open(format!("无法设置 {} 的权限：{e}", f.display())))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The SQLite database file that `Store::open(data_dir, database, …)` opens; `None` for PostgreSQL.
pub fn sqlite_file(data_dir: &Path, database: Option<&str>) -> Option<PathBuf> {
    match database {
        Some(url) if is_postgres(url) => None,
        Some(url) => {
            Some(PathBuf::from(url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url)))
        }
        None => Some(data_dir.join("bastion.db")),
    }
}

/// The newest schema version (migration number) this build knows for `backend`.
pub fn known_schema_version(backend: Backend) -> i64 {
    let migrator = match backend {
        Backend::Sqlite => &MIGRATE_SQLITE,
        Backend::Postgres => &MIGRATE_PG,
    };
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The refusal to open a database that a newer Bastion has migrated: it names both versions.
fn newer_schema(found: i64, known: i64) -> StoreError {
    StoreError::Open(format!(
        "数据库结构版本为 {found}，比本程序（bastion {}，结构版本 {known}）新：它已被较新版本的 Bastion 升级过，\
         本程序不能使用它（不会改动数据库）。请改用升级后的 bastion，或从升级前的备份恢复 \
         / the database's schema version {found} is newer than this binary's ({known}, bastion {}): run the newer \
         bastion, or restore the backup taken before the upgrade",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_VERSION"),
    ))
}

/// What `bastion restore` needs to know of a SQLite file before it uses it or replaces it.
#[derive(Debug, Clone, Default)]
pub struct SqliteFileInfo {
    /// `PRAGMA integrity_check`'s lines (`["ok"]` when sound); empty when not asked for.
    pub integrity: Vec<String>,
    /// The newest applied migration; `None` before the first migration.
    pub schema_version: Option<i64>,
    pub units: i64,
    pub audit_records: i64,
}

impl SqliteFileInfo {
    /// The file holds a bureau or an audit trail: replacing it loses data.
    pub fn holds_data(&self) -> bool {
        self.units > 0 || self.audit_records > 0
    }
}

/// Look into a SQLite file without migrating it: optionally a full integrity check, the schema
/// version, and whether it holds data. Refuses a file migrated by a newer Bastion.
pub async fn inspect_sqlite_file(path: &Path, integrity: bool) -> StoreResult<SqliteFileInfo> {
    use sqlx::Row;
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path).create_if_missing(false);
    let mut conn = sqlx::sqlite::SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| StoreError::Open(format!("无法打开 SQLite 数据库 {}：{e}", path.display())))?;
    let mut info = SqliteFileInfo::default();
    if integrity {
        let rows = sqlx::query("PRAGMA integrity_check").fetch_all(&mut conn).await.map_err(|e| {
            StoreError::Open(format!("{} 不是可用的 SQLite 数据库（完整性检查无法进行）：{e}", path.display()))
        })?;
        info.integrity = rows.iter().filter_map(|r| r.try_get::<String, _>(0).ok()).collect();
    }
    let tables: Vec<String> = sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table'")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| StoreError::Open(format!("{} 不是可用的 SQLite 数据库：{e}", path.display())))?
        .iter()
        .filter_map(|r| r.try_get::<String, _>(0).ok())
        .collect();
    let has = |t: &str| tables.iter().any(|n| n == t);
    if has("_sqlx_migrations") {
        info.schema_version =
            sqlx::query("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&mut conn).await?.try_get(0)?;
    }
    for (table, n) in [("units", &mut info.units), ("audit_log", &mut info.audit_records)] {
        if has(table) {
            *n = sqlx::query(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut conn).await?.try_get(0)?;
        }
    }
    let _ = conn.close().await;
    let known = known_schema_version(Backend::Sqlite);
    match info.schema_version {
        Some(v) if v > known => Err(newer_schema(v, known)),
        _ => Ok(info),
    }
}

impl Store {
    /// Open (and migrate) the store. `database` is `None` for the SQLite file under `data_dir`.
    pub async fn open(data_dir: &Path, database: Option<&str>, crypto: Crypto) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let store = match (database, sqlite_file(data_dir, database)) {
            (Some(url), None) => Self::open_pg(url, crypto).await?,
            (Some(_), Some(path)) => {
                match path.parent() {
                    Some(dir) if !dir.as_os_str().is_empty() && !dir.exists() => {
                        return Err(StoreError::Open(format!(
                            "数据库目录不存在：{}（只有 --data 目录会自动创建）",
                            dir.display()
                        )))
                    }
                    _ => {}
                }
                Self::open_sqlite(&path, crypto).await?
            }
            (None, _) => {
                create_private_dir(data_dir)
                    .map_err(|e| StoreError::Open(format!("无法创建数据目录 {}：{e}", data_dir.display())))?;
                Self::open_sqlite(&data_dir.join("bastion.db"), crypto).await?
            }
        };
        store.migrate().await?;
        store.drop_value_samples().await?;
        Ok(store)
    }

    async fn open_sqlite(path: &Path, crypto: Crypto) -> StoreResult<Self> {
        private_sqlite_files(path)?;
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let pool = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(30))
                // A file cannot go away under an open connection: no ping before each use (it
                // would cost a hand-off to the connection's thread on every query).
                .test_before_acquire(false)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; \
                             PRAGMA cache_size=-16384; PRAGMA mmap_size=268435456; PRAGMA wal_autocheckpoint=10000; \
                             PRAGMA soft_heap_limit=67108864;",
                        )
                        .await?;
                        Ok(())
                    })
                })
        };
        // Each connection may cache 16 MiB of pages beyond the memory map (the first 256 MiB of the
        // file), nine connections up to 144 MiB; the soft heap limit (process-wide) holds all of
        // SQLite's memory to 64 MiB by recycling the least recently used pages of any connection.
        // One writer: SQLite serialises writers anyway, and a single connection makes the audit
        // chain's read-then-append safe without BEGIN IMMEDIATE.
        let write = pool(1)
            .connect(&url)
            .await
            .map_err(|e| StoreError::Open(format!("无法打开 SQLite 数据库 {}：{e}", path.display())))?;
        let read = pool(8).connect(&url).await?;
        Ok(Self {
            read,
            write,
            backend: Backend::Sqlite,
            crypto: Arc::new(crypto),
            sqlite_path: Some(path.to_path_buf()),
            url,
            caches: Arc::default(),
            pg: None,
            replica: Arc::default(),
        })
    }

    async fn open_pg(url: &str, crypto: Crypto) -> StoreResult<Self> {
        let pool = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(10))
                // sqlx pings every connection before handing it out by default: a round trip
                // per query. Ping only connections that sat idle (the ones a server restart or a
                // dropped network path may have killed); a busy connection proved itself moments
                // ago, and sqlx also pings every connection when it is given back, closing a
                // broken one.
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for > PING_IF_IDLE {
                            conn.ping().await?;
                        }
                        Ok(true)
                    })
                })
        };
        let open = |max: u32| async move {
            pool(max)
                .connect(url)
                .await
                .map_err(|e| StoreError::Open(format!("无法连接 PostgreSQL（{}）：{e}", redact(url))))
        };
        // Writers get their own connections: under a flood of reads (every answer to a recall
        // reads its link first) a write transaction must not queue behind them for a connection.
        let write = open(PG_WRITERS).await?;
        let read = open(PG_READERS).await?;
        // Connected on first use. Each statement sent here has one fixed text whatever the batch's
        // size, so its plan is made once per connection and kept.
        let options: sqlx::postgres::PgConnectOptions =
            url.parse().map_err(|e| StoreError::Open(format!("无法解析 PostgreSQL 地址（{}）：{e}", redact(url))))?;
        let native = sqlx::postgres::PgPoolOptions::new()
            .max_connections(PG_NATIVE)
            .acquire_timeout(Duration::from_secs(10))
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > PING_IF_IDLE {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("SET plan_cache_mode = force_generic_plan").await?;
                    Ok(())
                })
            })
            .connect_lazy_with(options);
        Ok(Self {
            read,
            write,
            backend: Backend::Postgres,
            crypto: Arc::new(crypto),
            sqlite_path: None,
            url: url.to_string(),
            caches: Arc::default(),
            pg: Some(native),
            replica: Arc::default(),
        })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &MIGRATE_SQLITE,
            Backend::Postgres => &MIGRATE_PG,
        };
        self.refuse_newer_schema().await?;
        self.accept_reworded(migrator).await?;
        migrator.run(&self.write).await?;
        Ok(())
    }

    /// A database migrated by a newer Bastion holds migrations this build does not know; sqlx
    /// would refuse with "migration N was previously applied but is missing", which tells an
    /// operator nothing. Refuse before touching it, naming both versions.
    async fn refuse_newer_schema(&self) -> StoreResult<()> {
        use sqlx::Row;
        let exists = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) AS n FROM pg_tables WHERE tablename = '_sqlx_migrations' AND schemaname = current_schema()"
            }
        };
        let n: i64 = sqlx::query(exists).fetch_one(&self.write).await?.try_get("n")?;
        if n == 0 {
            return Ok(());
        }
        let found: Option<i64> =
            sqlx::query("SELECT MAX(version) AS v FROM _sqlx_migrations").fetch_one(&self.write).await?.try_get("v")?;
        let known = known_schema_version(self.backend);
        match found {
            Some(v) if v > known => Err(newer_schema(v, known)),
            _ => Ok(()),
        }
    }

    /// A database migrated before a migration's comments were reworded holds the old file's
    /// checksum, and the migrator would refuse to start. For each such migration whose SQL did not
    /// change, the recorded checksum is moved to the current file's — only when it is exactly the
    /// old one, so a migration changed in any other way is still refused.
    async fn accept_reworded(&self, migrator: &sqlx::migrate::Migrator) -> StoreResult<()> {
        let exists = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Backend::Postgres => "SELECT COUNT(*) AS n FROM pg_tables WHERE tablename = '_sqlx_migrations'",
        };
        use sqlx::Row;
        let n: i64 = sqlx::query(exists).fetch_one(&self.write).await?.try_get("n")?;
        if n == 0 {
            return Ok(());
        }
        for (backend, version, old) in REWORDED {
            if *backend != self.backend {
                continue;
            }
            let Some(m) = migrator.iter().find(|m| m.version == *version) else { continue };
            let old = (0..old.len())
                .step_by(2)
                .filter_map(|i| u8::from_str_radix(&old[i..i + 2], 16).ok())
                .collect::<Vec<u8>>();
            sqlx::query("UPDATE _sqlx_migrations SET checksum = $1 WHERE version = $2 AND checksum = $3")
                .bind(m.checksum.to_vec())
                .bind(*version)
                .bind(old)
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }

    /// Begin a write transaction (on SQLite: on the single writer connection).
    pub async fn begin(&self) -> StoreResult<Tx> {
        // Any write on this node may change counts and the unit tree: drop what is cached.
        self.caches.invalidate();
        Ok(self.write.begin().await?)
    }

    /// Copy what the WAL holds into the database file without blocking anyone (SQLite; a no-op on
    /// PostgreSQL). The server calls this every second from a reader connection, so the single
    /// writer — whose commits every hot request waits for — never stops to checkpoint itself
    /// (SQLite's automatic checkpoint runs inside the commit that crosses the threshold: a pause
    /// of a quarter of a second was measured under 5,000 registrations/s). The writer's own
    /// automatic checkpoint stays as a backstop at 10,000 pages for processes without the server.
    pub async fn checkpoint_wal(&self) -> StoreResult<()> {
        if self.backend == Backend::Sqlite {
            sqlx::raw_sql("PRAGMA wal_checkpoint(PASSIVE)").execute(&self.read).await?;
        }
        Ok(())
    }

    /// Refresh the planner's statistics after bulk changes (imports, the demo bureau).
    ///
    /// On SQLite only the per-index row estimates are kept (`sqlite_stat1`): the bundled SQLite
    /// also samples values (`sqlite_stat4`), and with samples present every statement whose plan
    /// could depend on a bound value is prepared again each time it is bound — a tenth of the
    /// CPU of the recall acknowledgement path went there.
    pub async fn analyze(&self) -> StoreResult<()> {
        match self.backend {
            Backend::Postgres => {
                sqlx::raw_sql("ANALYZE people; ANALYZE units").execute(&self.write).await?;
            }
            Backend::Sqlite => {
                sqlx::raw_sql("ANALYZE").execute(&self.write).await?;
                self.drop_value_samples().await?;
                self.reload_statistics_everywhere().await?;
            }
        }
        Ok(())
    }

    /// SQLite reads the planner's statistics when a connection loads the schema, and a new
    /// ANALYZE does not make the other open connections load it again: the pooled readers would
    /// keep planning with the figures of the day they opened (a list of 60,000 findings planned as
    /// if there were three took seconds). A schema change does: every connection reloads the
    /// schema, statistics included, before its next statement.
    async fn reload_statistics_everywhere(&self) -> StoreResult<()> {
        sqlx::raw_sql("CREATE TABLE planner_statistics_epoch (x INTEGER); DROP TABLE planner_statistics_epoch;")
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Keep the planner's statistics in step with the data as it grows (SQLite's advice for
    /// long-running applications: `PRAGMA optimize` every few hours; it re-analyses only the tables
    /// whose size changed a lot, within a bounded effort). PostgreSQL's autovacuum does this itself.
    pub async fn optimize(&self) -> StoreResult<()> {
        if self.backend == Backend::Sqlite {
            sqlx::raw_sql("PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002;").execute(&self.write).await?;
            self.drop_value_samples().await?;
            self.reload_statistics_everywhere().await?;
        }
        Ok(())
    }

    /// SQLite: forget `sqlite_stat4` samples (see [`Store::analyze`]); also done at open, for
    /// databases analysed by an earlier version.
    async fn drop_value_samples(&self) -> StoreResult<()> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let stat4: Option<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat4'")
                .fetch_optional(&self.write)
                .await?;
        if stat4.is_some() && sqlx::query("DELETE FROM sqlite_stat4").execute(&self.write).await?.rows_affected() > 0 {
            // Reload the statistics without the samples.
            sqlx::raw_sql("ANALYZE sqlite_schema").execute(&self.write).await?;
        }
        Ok(())
    }

    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// Readiness: the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
        if let Some(pg) = &self.pg {
            pg.close().await;
        }
    }

    /// `VACUUM INTO` a consistent copy (SQLite); PostgreSQL deployments use pg_dump.
    pub async fn backup_sqlite(&self, dest: &Path) -> StoreResult<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Open("PostgreSQL 请使用 pg_dump 备份".into()));
        }
        if dest.exists() {
            return Err(StoreError::Open(format!("备份文件已存在：{}", dest.display())));
        }
        // Owner-only like the database itself: VACUUM INTO keeps the mode of an empty file it is given.
        private_sqlite_files(dest)?;
        let sql = format!("VACUUM INTO '{}'", dest.display().to_string().replace('\'', "''"));
        if let Err(e) = sqlx::query(&sql).execute(&self.write).await {
            let _ = std::fs::remove_file(dest);
            return Err(e.into());
        }
        Ok(())
    }
}

/// Hide the password part of a URL in messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Map a unique-constraint violation to a named duplicate; anything else stays a database error.
pub(crate) fn unique<'a>(field: &'static str, value: &'a str) -> impl FnOnce(sqlx::Error) -> StoreError + 'a {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Duplicate { field, value: value.to_string() }
        }
        _ => StoreError::Db(e),
    }
}

/// An update that touched no row means the record does not exist.
pub(crate) fn found(rows_affected: u64) -> StoreResult<()> {
    if rows_affected == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Read a 0/1 flag stored as an integer.
pub(crate) fn flag(row: &AnyRow, col: &str) -> StoreResult<bool> {
    use sqlx::Row;
    Ok(row.try_get::<i64, _>(col)? != 0)
}

/// Commit a write transaction.
pub async fn commit(tx: Tx) -> StoreResult<()> {
    tx.commit().await?;
    Ok(())
}
