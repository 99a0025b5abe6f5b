//! Test harness: a fresh database per test on either backend, and `spawn_app` serving the real
//! router on 127.0.0.1:0. PostgreSQL tests use `BASTION_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and fail loudly when it does not answer.

use std::path::PathBuf;

use bastion_app::{App, Policy};
use bastion_store::{Crypto, Store};
use sqlx::Connection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const DEMO_PASSWORD: &str = "Demo#2026pass";
/// The demo administrators' TOTP secret in tests (base32).
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The current code for the demo administrators.
pub fn demo_totp_code() -> String {
    let secret = bastion_core::totp::base32_decode(DEMO_TOTP_SECRET).unwrap_or_default();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    bastion_core::totp::code_at(&secret, now)
}

/// A valid identity number for test person `n` (0–999): region 110105, born 1980-01-01; never one
/// of the demo bureau's numbers (those use region 5199xx).
pub fn test_id_number(n: u32) -> String {
    let body = format!("11010519800101{:03}", n % 1000);
    format!("{body}{}", bastion_core::id_number::check_char(body.as_bytes()))
}

pub fn pg_admin_url() -> String {
    std::env::var("BASTION_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database that exists for one test: a temp directory (SQLite) or a fresh PostgreSQL database.
pub struct TestDb {
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    pub database: Option<String>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        let dir = match tempfile::Builder::new().prefix("bastion-test-").tempdir() {
            Ok(d) => d,
            Err(e) => panic!("temp dir: {e}"),
        };
        match backend {
            Backend::Sqlite => Self { backend, dir, database: None, pg_name: None },
            Backend::Postgres => {
                let admin = pg_admin_url();
                let name = format!("bastion_t_{:016x}", rand::random::<u64>());
                let mut conn = match sqlx::postgres::PgConnection::connect(&admin).await {
                    Ok(c) => c,
                    Err(e) => panic!("PostgreSQL at BASTION_TEST_PG={admin} does not answer ({e}); run the tests through scripts/test-all.sh, which starts one"),
                };
                if let Err(e) = sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await {
                    panic!("create database {name}: {e}");
                }
                let _ = conn.close().await;
                let url = replace_db(&admin, &name);
                Self { backend, dir, database: Some(url), pg_name: Some(name) }
            }
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub async fn store(&self) -> Store {
        match Store::open(&self.data_dir(), self.database.as_deref(), Crypto::generate()).await {
            Ok(s) => s,
            Err(e) => panic!("open store: {e}"),
        }
    }

    /// Open with keys kept in the test's data directory (so several opens share them).
    pub async fn store_with_key_file(&self) -> Store {
        let crypto = match Crypto::load(&self.data_dir().join("keys").join("bastion.keys")) {
            Ok(c) => c,
            Err(e) => panic!("keys: {e}"),
        };
        match Store::open(&self.data_dir(), self.database.as_deref(), crypto).await {
            Ok(s) => s,
            Err(e) => panic!("open store: {e}"),
        }
    }
}

fn replace_db(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Best effort: drop on a separate thread with its own runtime (Drop cannot await).
            let admin = pg_admin_url();
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    rt.block_on(async {
                        if let Ok(mut c) = sqlx::postgres::PgConnection::connect(&admin).await {
                            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                                .execute(&mut c)
                                .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// A running server on a fresh database.
pub struct TestApp {
    pub db: TestDb,
    pub app: App,
    pub base: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// A client with its own cookie jar.
    pub fn client(&self) -> reqwest::Client {
        match reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build() {
            Ok(c) => c,
            Err(e) => panic!("client: {e}"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client signed in as `username` (demo password).
    /// An extra account with one role at the unit of this code (linked to a person when given),
    /// written to the store as an administrator would set it up, and signed in.
    pub async fn account(&self, username: &str, role: &str, unit: &str, person: Option<i64>) -> reqwest::Client {
        let unit = match self.app.store.unit_by_code(unit).await {
            Ok(Some(u)) => u.id,
            other => panic!("unit {unit}: {other:?}"),
        };
        let account = bastion_store::auth::NewAccount {
            username: username.into(),
            display_name: username.into(),
            person_id: person.map(bastion_store::org::PersonId),
            unit_id: unit,
            password_hash: or_panic(bastion_app::auth::hash_password(DEMO_PASSWORD), "hash"),
            roles: vec![role.into()],
            must_change_password: false,
        };
        let mut tx = or_panic(self.app.store.begin().await, "begin");
        or_panic(self.app.store.insert_account(&mut tx, &account).await, "account");
        or_panic(bastion_store::commit(tx).await, "commit");
        self.login(username).await
    }

    pub async fn login(&self, username: &str) -> reqwest::Client {
        let c = self.client();
        let r = c
            .post(self.url("/api/login"))
            .json(&serde_json::json!({"username": username, "password": DEMO_PASSWORD, "totp": demo_totp_code()}))
            .send()
            .await;
        match r {
            Ok(r) if r.status().is_success() => c,
            Ok(r) => panic!("login {username}: {} {}", r.status(), r.text().await.unwrap_or_default()),
            Err(e) => panic!("login {username}: {e}"),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The value, or a panic naming what failed (the kit's set-up cannot go on without it).
fn or_panic<T, E: std::fmt::Debug>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e:?}"),
    }
}

/// Serve a fresh database; with `demo`, the demo bureau is created first.
pub async fn spawn_app(backend: Backend, demo: bool) -> TestApp {
    spawn_app_with(backend, demo, bastion_web::WebSettings::default()).await
}

/// [`spawn_app`] with the web layer's settings given.
pub async fn spawn_app_with(backend: Backend, demo: bool, settings: bastion_web::WebSettings) -> TestApp {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let app = App::new(store, Policy::default());
    if demo {
        if let Err(e) = app.create_demo(DEMO_PASSWORD, DEMO_TOTP_SECRET).await {
            panic!("demo: {e:?}");
        }
    }
    let (base, tx, server) = serve_port0(app.clone(), settings).await;
    TestApp { db, app, base, shutdown: Some(tx), server: Some(server) }
}

/// Serve `app` on 127.0.0.1:0; returns the base URL, the shutdown trigger and the server task.
async fn serve_port0(
    app: App,
    settings: bastion_web::WebSettings,
) -> (String, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => panic!("bind: {e}"),
    };
    let base = match listener.local_addr() {
        Ok(a) => format!("http://{a}"),
        Err(e) => panic!("addr: {e}"),
    };
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let _ = bastion_web::serve(app, settings, bastion_web::metrics_handle(), listener, async {
            let _ = rx.await;
        })
        .await;
    });
    (base, tx, server)
}

impl TestApp {
    /// A client signed in as `username` on another node.
    pub async fn login_at(&self, base: &str, username: &str) -> reqwest::Client {
        let c = self.client();
        let r = c
            .post(format!("{base}/api/login"))
            .json(&serde_json::json!({"username": username, "password": DEMO_PASSWORD, "totp": demo_totp_code()}))
            .send()
            .await;
        match r {
            Ok(r) if r.status().is_success() => c,
            Ok(r) => panic!("login {username}: {} {}", r.status(), r.text().await.unwrap_or_default()),
            Err(e) => panic!("login {username}: {e}"),
        }
    }

    /// Shut the server down gracefully and wait until it has finished (final flushes included).
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
    }

    /// Another node serving the same database with the same keys (a second node of a cluster on
    /// PostgreSQL), as a whole `TestApp` (its own sign-ins, `stop`).
    pub async fn spawn_node(&self) -> TestApp {
        self.spawn_node_with(bastion_web::WebSettings::default()).await
    }

    /// [`TestApp::spawn_node`] with the web layer's settings given.
    pub async fn spawn_node_with(&self, settings: bastion_web::WebSettings) -> TestApp {
        let mut store = self.db.store().await;
        store.crypto = self.app.store.crypto.clone();
        let app = App::new(store, Policy::default());
        let (base, tx, server) = serve_port0(app.clone(), settings).await;
        // The node does not own the database: the first node's `db` drops it.
        let db = TestDb { backend: self.db.backend, dir: tempdir(), database: self.db.database.clone(), pg_name: None };
        TestApp { db, app, base, shutdown: Some(tx), server: Some(server) }
    }
}

fn tempdir() -> tempfile::TempDir {
    match tempfile::Builder::new().prefix("bastion-node-").tempdir() {
        Ok(d) => d,
        Err(e) => panic!("temp dir: {e}"),
    }
}

/// Expand one async test body `async fn(Backend)` into `sqlite` and `postgres` tests.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() { super::$name($crate::Backend::Sqlite).await }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() { super::$name($crate::Backend::Postgres).await }
            }
        )+
    };
}

/// Poll `check` until it yields a value or `within` has passed; then fail naming `what`.
/// Tests wait for what they expect instead of sleeping for a guessed time.
pub async fn eventually<T, F, Fut>(what: &str, within: std::time::Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if std::time::Instant::now() >= deadline {
            panic!("timed out after {within:?} waiting for {what}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// `bastion` (the binary at `exe`) on `db`'s data directory and database, with the demo password
/// and no configuration taken from the environment.
pub fn bastion_command(exe: &str, db: &TestDb) -> std::process::Command {
    let mut c = std::process::Command::new(exe);
    c.arg("--data").arg(db.data_dir());
    if let Some(url) = &db.database {
        c.arg("--database").arg(url);
    }
    c.env("BASTION_DEMO_PASSWORD", DEMO_PASSWORD).env_remove("BASTION_DATABASE").env_remove("BASTION_CONFIG");
    c
}

/// Run `bastion ARGS` on `db` to its end: whether it succeeded, and what it printed (stdout, then
/// stderr).
pub fn run_bastion(exe: &str, db: &TestDb, args: &[&str]) -> (bool, String) {
    let out = match bastion_command(exe, db).args(args).output() {
        Ok(o) => o,
        Err(e) => panic!("run bastion {args:?}: {e}"),
    };
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// A `bastion serve` process, started and waited for until it accepts connections.
pub struct ServedBinary {
    pub child: std::process::Child,
    /// `http://127.0.0.1:PORT`
    pub addr: String,
    /// What it printed before it listened (the demo's accounts, for example).
    pub printed: Vec<String>,
}

impl ServedBinary {
    /// Spawn `cmd` (a `serve --listen 127.0.0.1:0 …` command) and wait, up to `within`, for its
    /// `listening on …` line.
    pub fn start(mut cmd: std::process::Command, within: std::time::Duration) -> Self {
        use std::io::{BufRead, BufReader};
        let mut child = match cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null()).spawn() {
            Ok(c) => c,
            Err(e) => panic!("spawn bastion: {e}"),
        };
        let Some(stdout) = child.stdout.take() else { panic!("bastion's stdout is not piped") };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut printed = Vec::new();
        let deadline = std::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => match line.strip_prefix("listening on ") {
                    Some(a) => return Self { child, addr: a.to_string(), printed },
                    None => printed.push(line),
                },
                Err(_) => {
                    let _ = child.kill();
                    panic!("bastion did not print its address within {within:?}; it printed {printed:?}");
                }
            }
        }
    }

    /// SIGKILL: no graceful shutdown, no final flush.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServedBinary {
    fn drop(&mut self) {
        self.kill();
    }
}
