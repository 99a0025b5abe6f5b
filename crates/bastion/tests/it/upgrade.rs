//! Versions: a database that a newer Bastion has migrated is refused at start, with both versions
//! named, and left untouched (an operator who rolled the binary back must not lose the data).

use std::time::Duration;

use bastion_testkit::{bastion_command, both_backends, eventually, run_bastion, Backend, TestDb};

const EXE: &str = env!("CARGO_BIN_EXE_bastion");
const NEWER: i64 = 9_999;

/// Run `sql` on the test database over a plain connection (opening the store would migrate).
async fn on_db(db: &TestDb, sql: &str) -> Option<i64> {
    use sqlx::{Connection, Row};
    match &db.database {
        None => {
            let url = format!("sqlite://{}", db.data_dir().join("bastion.db").display());
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            let v = sqlx::query(sql).fetch_optional(&mut c).await.unwrap().map(|r| r.get::<i64, _>(0));
            c.close().await.unwrap();
            v
        }
        Some(url) => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            let v = sqlx::query(sql).fetch_optional(&mut c).await.unwrap().map(|r| r.get::<i64, _>(0));
            c.close().await.unwrap();
            v
        }
    }
}

async fn newest_migration(db: &TestDb) -> i64 {
    on_db(db, "SELECT MAX(version) FROM _sqlx_migrations").await.unwrap()
}

async fn a_newer_database_is_refused(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (ok, out) = run_bastion(EXE, &db, &["demo"]);
    assert!(ok, "{out}");
    let known = bastion_store::db::known_schema_version(match backend {
        Backend::Sqlite => bastion_store::Backend::Sqlite,
        Backend::Postgres => bastion_store::Backend::Postgres,
    });
    assert_eq!(newest_migration(&db).await, known);
    // What a newer release's migration leaves behind: one more row in the migrations table.
    let insert = match backend {
        Backend::Sqlite => {
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (9999, 'from a newer bastion', 1, x'00', 0)"
        }
        Backend::Postgres => {
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (9999, 'from a newer bastion', TRUE, '\\x00'::bytea, 0)"
        }
    };
    on_db(&db, insert).await;

    // `serve` stops at once instead of serving; it must not be left running if it does not.
    let mut child = bastion_command(EXE, &db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let exited = eventually("serve to refuse the newer database and exit", Duration::from_secs(60), || {
        let status = child.try_wait().unwrap();
        async move { status }
    })
    .await;
    let out = child.wait_with_output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!exited.success(), "serve must refuse: {text}");
    assert!(
        text.contains(&format!("数据库结构版本为 {NEWER}"))
            && text.contains(&format!("结构版本 {known}"))
            && text.contains(&format!("bastion {}", env!("CARGO_PKG_VERSION"))),
        "the refusal names the database's version and the binary's: {text}"
    );
    // Every other command refuses the same way.
    let (ok, out) = run_bastion(EXE, &db, &["migrate"]);
    assert!(!ok && out.contains(&format!("数据库结构版本为 {NEWER}")), "{out}");
    // The database was left as the newer release made it.
    assert_eq!(newest_migration(&db).await, NEWER);
}

both_backends!(a_newer_database_is_refused);
