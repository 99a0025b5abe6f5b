//! The binary as an operator uses it.

use std::process::Command;
use std::time::Duration;

use bastion_testkit::{bastion_command, both_backends, Backend, ServedBinary, TestDb, DEMO_PASSWORD};

fn bastion(db: &TestDb) -> Command {
    bastion_command(env!("CARGO_BIN_EXE_bastion"), db)
}

fn run(mut c: Command) -> (bool, String, String) {
    let out = c.output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

async fn demo_serves_and_stops(backend: Backend) {
    let db = TestDb::new(backend).await;
    let serve = |demo: bool| {
        let mut c = bastion(&db);
        c.args(["serve", "--listen", "127.0.0.1:0"]);
        if demo {
            c.arg("--demo");
        }
        ServedBinary::start(c, Duration::from_secs(60))
    };
    let mut first = serve(true);
    let text = first.printed.join("\n");
    assert!(text.contains("956 人") && text.contains("commander"), "{text}");
    let body = reqwest::get(format!("{}/healthz", first.addr)).await.unwrap().text().await.unwrap();
    assert_eq!(body, "ok");
    first.kill();
    // Second start with --demo again: the data is kept and the demo is not created twice.
    let second = serve(true);
    let text = second.printed.join("\n");
    assert!(text.contains("数据库已有数据，跳过演示数据生成") && !text.contains("956 人"), "{text}");
    let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let r = c
        .post(format!("{}/api/login", second.addr))
        .json(&serde_json::json!({"username": "commander", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "the first start's accounts sign in on the second");
    let people: serde_json::Value =
        c.get(format!("{}/api/people?size=1", second.addr)).send().await.unwrap().json().await.unwrap();
    assert_eq!(people["total"], 956, "the first start's people are there once");
    drop(second);
    // The audit chain is intact across both runs.
    let (ok, out, err) = run({
        let mut c = bastion(&db);
        c.args(["audit", "verify"]);
        c
    });
    assert!(ok, "{out}{err}");
    assert!(out.contains("审计链完整"), "{out}");
}

async fn accounts_from_the_command_line(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (ok, _, err) = run({
        let mut c = bastion(&db);
        c.arg("demo");
        c
    });
    assert!(ok, "{err}");
    let mut create = bastion(&db);
    create
        .args(["user", "create", "wangwu", "--name", "王五", "--unit", "S01", "--roles", "sysadmin,auditadmin"])
        .env("BASTION_NEW_PASSWORD", "Abcdef#123");
    let (ok, _, err) = run(create);
    assert!(!ok && err.contains("三员分立"), "{err}");
    let mut create = bastion(&db);
    create
        .args(["user", "create", "wangwu", "--name", "王五", "--unit", "S01", "--roles", "duty"])
        .env("BASTION_NEW_PASSWORD", "weak");
    let (ok, _, err) = run(create);
    assert!(!ok && err.contains("密码长度不能少于 8 位"), "{err}");
    let mut create = bastion(&db);
    create
        .args(["user", "create", "wangwu", "--name", "王五", "--unit", "S01", "--roles", "duty"])
        .env("BASTION_NEW_PASSWORD", "Abcdef#123");
    let (ok, out, err) = run(create);
    assert!(ok, "{err}");
    assert!(out.contains("wangwu"));
    let (ok, _, err) = run({
        let mut c = bastion(&db);
        c.args(["user", "disable", "wangwu"]);
        c
    });
    assert!(ok, "{err}");
    let store = db.store_with_key_file().await;
    let a = store.account_by_username("wangwu").await.unwrap().unwrap();
    assert!(!a.enabled && a.must_change_password);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("people.csv");
    let (ok, out, err) = run({
        let mut c = bastion(&db);
        c.arg("export").arg(&file);
        c
    });
    assert!(ok, "{err}");
    assert!(out.contains("已导出 956 人"), "{out}");
    let (ok, out, err) = run({
        let mut c = bastion(&db);
        c.arg("import").arg(&file).arg("--update");
        c
    });
    assert!(ok, "{err}");
    assert!(out.contains("新增 0，更新 0，未变 956"), "{out}");
}

async fn keys_rotate_reencrypts_everything(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (ok, _, err) = run({
        let mut c = bastion(&db);
        c.arg("demo");
        c
    });
    assert!(ok, "{err}");
    let before = db.store_with_key_file().await;
    let clear_before = before.reveal_person(bastion_store::org::PersonId(7)).await.unwrap();
    let (ok, out, err) = run({
        let mut c = bastion(&db);
        c.args(["keys", "rotate"]);
        c
    });
    assert!(ok, "{err}");
    assert!(out.contains("重新加密"), "{out}");
    // Every cipher now carries key 2; the store opened before the rotation still reads them.
    use sqlx::Row;
    let rows = sqlx::query("SELECT id_cipher FROM people").fetch_all(before.reader()).await.unwrap();
    assert_eq!(rows.len(), 956);
    for r in rows {
        let b: Vec<u8> = r.try_get("id_cipher").unwrap();
        assert_eq!(b[1], 2);
    }
    let clear_after = before.reveal_person(bastion_store::org::PersonId(7)).await.unwrap();
    assert_eq!(clear_before.id_number, clear_after.id_number);
    assert_eq!(clear_before.mobile, clear_after.mobile);
    // Switching to SM4-GCM (国密) is one more rotation: every cipher is rewritten under the new
    // algorithm and key, and the file remembers the choice.
    let (ok, _, err) = run({
        let mut c = bastion(&db);
        c.args(["keys", "rotate"]).env("BASTION_CIPHER", "sm4-gcm");
        c
    });
    assert!(ok, "{err}");
    let rows = sqlx::query("SELECT id_cipher, mobile_cipher FROM people").fetch_all(before.reader()).await.unwrap();
    for r in rows {
        for col in ["id_cipher", "mobile_cipher"] {
            let b: Option<Vec<u8>> = r.try_get(col).unwrap();
            if let Some(b) = b {
                assert_eq!((b[0], b[1]), (2, 3), "{col}: algorithm sm4-gcm, key 3");
            }
        }
    }
    // Travellers' numbers and pending self-registrations too.
    let rows = sqlx::query("SELECT doc_cipher, phone_cipher FROM screenings").fetch_all(before.reader()).await.unwrap();
    assert!(!rows.is_empty(), "the demo bureau has screenings");
    for r in rows {
        for col in ["doc_cipher", "phone_cipher"] {
            if let Some(b) = r.try_get::<Option<Vec<u8>>, _>(col).unwrap() {
                assert_eq!((b[0], b[1]), (2, 3), "screenings.{col}");
            }
        }
    }
    let keys = std::fs::read_to_string(db.data_dir().join("keys").join("bastion.keys")).unwrap();
    assert!(keys.contains("cipher=sm4-gcm"), "{keys}");
    let clear_sm4 = before.reveal_person(bastion_store::org::PersonId(7)).await.unwrap();
    assert_eq!(clear_before.id_number, clear_sm4.id_number);
    assert_eq!(clear_before.mobile, clear_sm4.mobile);
    let (ok, out, _) = run({
        let mut c = bastion(&db);
        c.args(["audit", "verify"]);
        c
    });
    assert!(ok && out.contains("审计链完整"), "{out}");
}

/// A stored setting the program cannot read stops it with a line naming the setting, not a bare
/// "internal error".
async fn an_unreadable_setting_is_named_at_start(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let (ok, out, err) = run({
        let mut c = bastion(&db);
        c.arg("migrate");
        c
    });
    assert!(ok, "{out}{err}");
    sqlx::query("INSERT INTO settings (key, value) VALUES ('security.custom_roles', '[{\"key\": 1}]')")
        .execute(store.reader())
        .await
        .unwrap();
    let (ok, out, err) = run({
        let mut c = bastion(&db);
        c.arg("migrate");
        c
    });
    assert!(!ok, "{out}");
    assert!(err.contains("security.custom_roles") && err.contains("自定义角色"), "{err}");
}

/// A read replica that cannot serve as one stops `serve` at start with a line naming
/// `read_database` and why: on SQLite (no replicas), unreachable, another database, or the primary
/// itself instead of a standby.
async fn a_wrong_read_replica_is_refused_at_start(backend: Backend) {
    let db = TestDb::new(backend).await;
    let serve = |read: &str| {
        let mut c = bastion(&db);
        c.args(["serve", "--listen", "127.0.0.1:0"]).env("BASTION_READ_DATABASE", read);
        c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        let started = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                panic!("serve kept running with read_database = {read}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let Some(url) = db.database.clone() else {
        let err = serve("postgres://bastion@127.0.0.1:5432/bastion");
        assert!(err.contains("read_database") && err.contains("SQLite"), "{err}");
        return;
    };
    let err = serve("postgres://nobody@127.0.0.1:1/none");
    assert!(err.contains("read_database") && err.contains("无法连接"), "{err}");
    let other = TestDb::new(backend).await;
    let (ok, out, err) = run({
        let mut c = bastion(&other);
        c.arg("migrate");
        c
    });
    assert!(ok, "{out}{err}");
    let err = serve(other.database.as_deref().unwrap());
    assert!(err.contains("read_database") && err.contains("另一个数据库"), "{err}");
    let err = serve(&url);
    assert!(err.contains("read_database") && err.contains("不是备库"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

both_backends!(
    demo_serves_and_stops,
    accounts_from_the_command_line,
    keys_rotate_reencrypts_everything,
    an_unreadable_setting_is_named_at_start,
    a_wrong_read_replica_is_refused_at_start
);

#[test]
fn unreachable_postgres_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_bastion"))
        .args(["migrate", "--data"])
        .arg(dir.path())
        .args(["--database", "postgres://nobody@127.0.0.1:1/none"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("无法连接 PostgreSQL"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn sqlite_path_outside_data_is_never_created() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no").join("such").join("x.db");
    let out = Command::new(env!("CARGO_BIN_EXE_bastion"))
        .args(["migrate", "--data"])
        .arg(dir.path().join("data"))
        .arg("--database")
        .arg(format!("sqlite://{}", missing.display()))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("数据库目录不存在"));
    assert!(!dir.path().join("no").exists());
}

#[test]
fn config_show_says_where_each_value_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_bastion"))
        .args(["config", "show", "--data"])
        .arg(dir.path())
        .env("BASTION_LOG", "debug")
        .env_remove("BASTION_LISTEN")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().any(|l| l.starts_with("data") && l.ends_with("命令行参数")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("log") && l.contains("debug") && l.ends_with("环境变量")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("listen") && l.ends_with("默认值")), "{text}");
}
