//! Backup and restore drill with the real binary: a backup taken while registrations pour in,
//! restored into a new place and started there; what was acknowledged before the backup began is
//! there exactly once and the audit chain verifies. SQLite uses `bastion backup` / `bastion
//! restore` (which refuses to restore over a running instance or over data); PostgreSQL uses
//! pg_dump / pg_restore into a new database, as docs/operations.md tells operators to.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bastion_testkit::{
    bastion_command, both_backends, eventually, run_bastion, Backend, ServedBinary, TestDb, DEMO_PASSWORD,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::checkpoint::{body, uuid};

const EXE: &str = env!("CARGO_BIN_EXE_bastion");

fn serve(db: &TestDb, demo: bool) -> ServedBinary {
    let mut c = bastion_command(EXE, db);
    c.args(["serve", "--listen", "127.0.0.1:0"]);
    if demo {
        c.arg("--demo");
    }
    ServedBinary::start(c, Duration::from_secs(120))
}

async fn sign_in(addr: &str, username: &str) -> reqwest::Client {
    let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let r = c
        .post(format!("{addr}/api/login"))
        .json(&json!({"username": username, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "sign-in as {username} at {addr}: {}", r.status());
    c
}

/// The checkpoint whose name has `name`, and its registrations today (the figure on the list).
async fn checkpoint_today(c: &reqwest::Client, addr: &str, name: &str) -> (i64, i64) {
    let list: Value = c.get(format!("{addr}/api/checkpoints")).send().await.unwrap().json().await.unwrap();
    let cp = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"].as_str().unwrap().contains(name))
        .unwrap_or_else(|| panic!("no checkpoint {name}: {list}"));
    (cp["id"].as_i64().unwrap(), cp["live"]["today"].as_i64().unwrap())
}

/// The external command's success and output (stdout, then stderr).
fn run_tool(cmd: &mut std::process::Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"));
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// Whether `tool --version` runs: pg_dump and pg_restore are PostgreSQL's client, not always there.
fn have(tool: &str) -> bool {
    std::process::Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
}

/// How many of `ids` the database of `db` (opened as the restored instance would) holds.
async fn stored_of(db: &TestDb, ids: &[String]) -> i64 {
    let store = db.store_with_key_file().await;
    let mut n = 0;
    for chunk in ids.chunks(200) {
        let list: Vec<String> = chunk.iter().map(|i| format!("'{i}'")).collect();
        let found: i64 = sqlx::Row::get(
            &sqlx::query(&format!("SELECT COUNT(*) AS n FROM screenings WHERE id IN ({})", list.join(",")))
                .fetch_one(store.reader())
                .await
                .unwrap(),
            "n",
        );
        n += found;
    }
    store.close().await;
    n
}

fn key_file(db: &TestDb) -> PathBuf {
    db.data_dir().join("keys").join("bastion.keys")
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

async fn backup_restore_drill(backend: Backend) {
    if backend == Backend::Postgres && !(have("pg_dump") && have("pg_restore")) {
        eprintln!("skipped: pg_dump or pg_restore is not on this machine (install postgresql-client)");
        return;
    }
    let db = TestDb::new(backend).await;
    let served = serve(&db, true);
    let addr = served.addr.clone();
    let c = sign_in(&addr, "checkpoint").await;
    let (cp, today_before) = checkpoint_today(&c, &addr, "G319").await;

    // Officers register travellers without pause until told to stop.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for _ in 0..8 {
        let (c, addr, acked, stop) = (c.clone(), addr.clone(), acked.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let id = uuid();
                let r = c.post(format!("{addr}/api/checkpoints/registrations")).json(&body(cp, &id)).send().await;
                match r {
                    Ok(r) if r.status() == StatusCode::CREATED => acked.lock().unwrap().push(id),
                    Ok(r) => panic!("registration answered {} {}", r.status(), r.text().await.unwrap_or_default()),
                    Err(e) => panic!("registration failed: {e}"),
                }
            }
        }));
    }
    eventually("200 acknowledged registrations", Duration::from_secs(120), || async {
        (acked.lock().unwrap().len() >= 200).then_some(())
    })
    .await;

    // Everything acknowledged up to here must be in the backup; what comes later may or may not.
    let before: Vec<String> = acked.lock().unwrap().clone();
    let backup = db.dir.path().join(if backend == Backend::Sqlite { "drill.db" } else { "drill.dump" });
    let taken = {
        let (db_url, backup) = (db.database.clone(), backup.clone());
        let data = db.data_dir();
        tokio::task::spawn_blocking(move || match db_url {
            None => {
                let mut cmd = std::process::Command::new(EXE);
                cmd.arg("--data").arg(&data).arg("backup").arg(&backup).env_remove("BASTION_DATABASE");
                run_tool(&mut cmd)
            }
            Some(url) => run_tool(std::process::Command::new("pg_dump").args([
                "--format=custom",
                "--file",
                path_str(&backup),
                "--dbname",
                url.as_str(),
            ])),
        })
        .await
        .unwrap()
    };
    assert!(taken.0, "backup: {}", taken.1);
    // The writers keep going after the backup was taken too.
    let target = before.len() + 100;
    eventually("registrations after the backup", Duration::from_secs(120), || async {
        (acked.lock().unwrap().len() >= target).then_some(())
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let all = acked.lock().unwrap().len() as i64;

    if backend == Backend::Sqlite {
        assert!(taken.1.contains("备份不含密钥"), "the backup reminds of the keys: {}", taken.1);
        // Restoring over the running instance is refused, and the instance goes on.
        let (ok, out) = run_bastion(EXE, &db, &["restore", path_str(&backup), "--force"]);
        assert!(!ok, "restore over a running instance must be refused: {out}");
        assert!(out.contains("正在被运行中的 Bastion 使用") && out.contains("systemctl stop bastion"), "{out}");
        let (_, today_now) = checkpoint_today(&c, &addr, "G319").await;
        assert_eq!(today_now, today_before + all, "the running instance lost nothing to the refused restore");
    }

    // Restore into a new place.
    let restored_db = TestDb::new(backend).await;
    match &restored_db.database {
        None => {
            let (ok, out) =
                run_bastion(EXE, &restored_db, &["restore", path_str(&backup), "--keys", path_str(&key_file(&db))]);
            assert!(ok, "restore into a new data directory: {out}");
            assert!(out.contains("完整性检查通过") && out.contains("审计链完整"), "{out}");
            // A second restore over the restored data is refused without --force.
            let (ok, out) = run_bastion(EXE, &restored_db, &["restore", path_str(&backup)]);
            assert!(!ok && out.contains("已有数据"), "restore over data without --force: {out}");
        }
        Some(url) => {
            let (ok, out) = run_tool(std::process::Command::new("pg_restore").args([
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                url.as_str(),
                path_str(&backup),
            ]));
            assert!(ok, "pg_restore: {out}");
            std::fs::create_dir_all(key_file(&restored_db).parent().unwrap()).unwrap();
            std::fs::copy(key_file(&db), key_file(&restored_db)).unwrap();
        }
    }
    drop(served);

    // The restored instance starts, its people sign in, and the checkpoint shows the registrations.
    let restored = serve(&restored_db, false);
    let rc = sign_in(&restored.addr, "checkpoint").await;
    let (_, today_restored) = checkpoint_today(&rc, &restored.addr, "G319").await;
    assert!(
        today_restored >= today_before + before.len() as i64 && today_restored <= today_before + all,
        "restored: {today_restored} today at G319; {today_before} before the drill, {} acknowledged before the \
         backup, {all} in all",
        before.len()
    );
    assert_eq!(
        stored_of(&restored_db, &before).await,
        before.len() as i64,
        "every registration acknowledged before the backup started is restored, once"
    );
    drop(restored);
    let (ok, out) = run_bastion(EXE, &restored_db, &["audit", "verify"]);
    assert!(ok && out.contains("审计链完整"), "the restored audit chain verifies: {out}");
}

/// A bad or foreign backup leaves the target as it was, and the message says why.
async fn restore_refuses_what_it_cannot_trust(backend: Backend) {
    if backend == Backend::Postgres {
        // bastion restore is for SQLite; on PostgreSQL it points to pg_restore.
        let db = TestDb::new(backend).await;
        let junk = db.dir.path().join("x.db");
        std::fs::write(&junk, b"SQLite format 3\0").unwrap();
        let (ok, out) = run_bastion(EXE, &db, &["restore", path_str(&junk)]);
        assert!(!ok && out.contains("pg_restore"), "{out}");
        return;
    }
    let origin = TestDb::new(backend).await;
    let (ok, out) = run_bastion(EXE, &origin, &["demo"]);
    assert!(ok, "{out}");
    let backup = origin.dir.path().join("b.db");
    let (ok, out) = run_bastion(EXE, &origin, &["backup", path_str(&backup)]);
    assert!(ok, "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the backup holds personal data: owner-only like the database");
    }

    let target = TestDb::new(backend).await;
    // Not a database at all.
    let junk = origin.dir.path().join("junk.db");
    std::fs::write(&junk, "不是数据库").unwrap();
    let (ok, out) = run_bastion(EXE, &target, &["restore", path_str(&junk), "--keys", path_str(&key_file(&origin))]);
    assert!(!ok && out.contains("不是 bastion backup 生成的 SQLite 备份文件"), "{out}");
    // Without the deployment's keys.
    let (ok, out) = run_bastion(EXE, &target, &["restore", path_str(&backup)]);
    assert!(!ok && out.contains("找不到密钥文件") && out.contains("--keys"), "{out}");
    // Another deployment's keys: the audit chain's MACs do not match, nothing is restored.
    let other = TestDb::new(backend).await;
    let (ok, out) = run_bastion(EXE, &other, &["migrate"]);
    assert!(ok, "{out}");
    let (ok, out) = run_bastion(EXE, &target, &["restore", path_str(&backup), "--keys", path_str(&key_file(&other))]);
    assert!(!ok && out.contains("审计链校验失败"), "{out}");
    assert!(!target.data_dir().join("bastion.db").exists(), "a refused restore leaves no database behind");
    // A damaged copy fails the integrity check.
    let damaged = origin.dir.path().join("damaged.db");
    let mut bytes = std::fs::read(&backup).unwrap();
    let page = 4096;
    for b in bytes.iter_mut().skip(page * 3).take(page * 20) {
        *b = 0x5A;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    let (ok, out) = run_bastion(EXE, &target, &["restore", path_str(&damaged), "--keys", path_str(&key_file(&origin))]);
    assert!(!ok && (out.contains("完整性检查") || out.contains("不是可用的 SQLite 数据库")), "{out}");
    assert!(!target.data_dir().join("bastion.db").exists(), "a refused restore leaves no database behind");
    // The good backup with the right keys, then --force over it keeps the replaced database.
    let (ok, out) = run_bastion(EXE, &target, &["restore", path_str(&backup), "--keys", path_str(&key_file(&origin))]);
    assert!(ok, "{out}");
    let (ok, out) = run_bastion(EXE, &target, &["restore", path_str(&backup), "--force"]);
    assert!(ok && out.contains("原数据库已改名保留"), "{out}");
    let kept = std::fs::read_dir(target.data_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("bastion.db.replaced-"))
        .count();
    assert!(kept >= 1, "the replaced database is kept");
    let people: Value = {
        let served = serve(&target, false);
        let c = sign_in(&served.addr, "commander").await;
        c.get(format!("{}/api/people?size=1", served.addr)).send().await.unwrap().json().await.unwrap()
    };
    assert_eq!(people["total"], 956, "the restored bureau's people are all there");
}

both_backends!(backup_restore_drill, restore_refuses_what_it_cannot_trust);
