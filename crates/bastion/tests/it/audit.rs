//! The audit chain: verification finds an edited, deleted, reordered or truncated record.

use bastion_store::audit::{AuditEntry, ChainBreak};
use bastion_store::Store;
use bastion_testkit::{both_backends, Backend, TestDb};

async fn chain_of(db: &TestDb, n: usize) -> Store {
    let s = db.store().await;
    for i in 0..n {
        let mut tx = s.begin().await.unwrap();
        s.append_audit(&mut tx, &AuditEntry { account: "a".into(), action: format!("动作{i}"), ..Default::default() })
            .await
            .unwrap();
        bastion_store::commit(tx).await.unwrap();
    }
    s
}

async fn exec(s: &Store, sql: &str) {
    sqlx::query(sql).execute(s.reader()).await.unwrap();
}

async fn intact_chain_verifies(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = chain_of(&db, 6).await;
    assert_eq!(s.verify_audit().await.unwrap(), (6, None));
}

async fn edited_record_is_named(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = chain_of(&db, 6).await;
    exec(&s, "UPDATE audit_log SET action = '篡改' WHERE seq = 3").await;
    assert_eq!(s.verify_audit().await.unwrap().1, Some(ChainBreak::Altered { seq: 3 }));
}

async fn deleted_record_is_named(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = chain_of(&db, 6).await;
    exec(&s, "DELETE FROM audit_log WHERE seq = 4").await;
    assert_eq!(s.verify_audit().await.unwrap().1, Some(ChainBreak::Gap { seq: 5, expected: 4 }));
}

async fn reordered_records_are_named(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = chain_of(&db, 6).await;
    exec(&s, "UPDATE audit_log SET seq = 100 WHERE seq = 2").await;
    exec(&s, "UPDATE audit_log SET seq = 2 WHERE seq = 3").await;
    exec(&s, "UPDATE audit_log SET seq = 3 WHERE seq = 100").await;
    assert_eq!(s.verify_audit().await.unwrap().1, Some(ChainBreak::Altered { seq: 2 }));
}

async fn truncated_tail_is_named(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = chain_of(&db, 6).await;
    exec(&s, "DELETE FROM audit_log WHERE seq = 6").await;
    assert_eq!(s.verify_audit().await.unwrap().1, Some(ChainBreak::Truncated { head: 6, last: 5 }));
}

async fn concurrent_writers_keep_one_chain(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = db.store().await;
    let mut handles = Vec::new();
    for w in 0..8 {
        let s = s.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..10 {
                let mut tx = s.begin().await.unwrap();
                let entry = |k: usize| AuditEntry {
                    account: format!("w{w}"),
                    action: format!("{i}.{k}"),
                    ..Default::default()
                };
                if w % 2 == 0 {
                    s.append_audit(&mut tx, &entry(0)).await.unwrap();
                } else {
                    // A batch links its own records (one head read); singles go through the
                    // trigger on PostgreSQL: both kinds interleave into one chain.
                    s.append_audit_many(&mut tx, &(0..5).map(entry).collect::<Vec<_>>()).await.unwrap();
                }
                bastion_store::commit(tx).await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(s.verify_audit().await.unwrap(), (4 * 10 + 4 * 10 * 5, None));
}

/// A batch larger than one INSERT (records go 1,000 per statement; on PostgreSQL the last one also
/// moves the head), followed by a single append: one chain, and the head where the last record is.
async fn batch_over_one_statement_keeps_the_chain(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = db.store().await;
    let entry = |k: usize| AuditEntry { account: "batch".into(), action: format!("{k}"), ..Default::default() };
    let mut tx = s.begin().await.unwrap();
    s.append_audit_many(&mut tx, &(0..2_345).map(entry).collect::<Vec<_>>()).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    let mut tx = s.begin().await.unwrap();
    let seq = s.append_audit(&mut tx, &entry(9_999)).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    assert_eq!(seq, 2_346, "the single append follows the batch's last record");
    assert_eq!(s.verify_audit().await.unwrap(), (2_346, None));
}

async fn retention_purge_keeps_a_verifiable_chain(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = chain_of(&db, 6).await;
    let app = bastion_app::App::new(s.clone(), bastion_app::Policy::default());
    let ctx = bastion_app::Ctx::system(bastion_store::org::UnitId(0));
    let now = bastion_core::time::now_ms();
    // Nothing is past the 365-day default yet.
    assert_eq!(app.purge_expired_audit(&ctx, now).await.unwrap(), 0);
    assert_eq!(s.verify_audit().await.unwrap(), (6, None));
    // A year and a day later the six records go; the purge's own record vouches for the anchor.
    assert_eq!(app.purge_expired_audit(&ctx, now + 366 * 86_400_000).await.unwrap(), 6);
    let (n, broken) = s.verify_audit().await.unwrap();
    assert_eq!((n, broken), (1, None));
    let (records, _) = s.audit_records(None, Some("audit"), 10, 0).await.unwrap();
    assert_eq!(records[0].action, "清理过期审计日志");
    assert_eq!(records[0].detail, "6 条（保存期 365 天）");
    assert!(records[0].target.starts_with("audit-anchor:6:"));
    // Deleting from the start outside a purge, even with the anchor moved to match, is named.
    let more = chain_of(&db, 3).await;
    exec(&more, "DELETE FROM audit_log WHERE seq <= 8").await;
    let hash: String = {
        use sqlx::Row;
        let r = sqlx::query("SELECT prev_hash FROM audit_log WHERE seq = 9").fetch_one(more.reader()).await.unwrap();
        r.try_get("prev_hash").unwrap()
    };
    exec(&more, &format!("UPDATE audit_anchor SET seq = 8, hash = '{hash}'")).await;
    assert_eq!(more.verify_audit().await.unwrap().1, Some(ChainBreak::AnchorMoved { seq: 8 }));
}

/// The attack the keyed MAC stops: edit a record, recompute every hash after it with the plain
/// SHA-256 scheme, move the head. Without the audit key the MACs cannot follow.
async fn rehashed_chain_is_named(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = chain_of(&db, 6).await;
    let mut tx = s.begin().await.unwrap();
    s.append_audit_many(
        &mut tx,
        &(0..3).map(|i| AuditEntry { action: format!("批{i}"), ..Default::default() }).collect::<Vec<_>>(),
    )
    .await
    .unwrap();
    bastion_store::commit(tx).await.unwrap();
    assert_eq!(s.verify_audit().await.unwrap(), (9, None));
    rewrite_from(&s, 3, None).await;
    assert_eq!(s.verify_audit().await.unwrap().1, Some(ChainBreak::Forged { seq: 3 }));
    // Clearing the MACs instead does not pass either.
    exec(&s, "UPDATE audit_log SET mac = '' WHERE seq >= 3").await;
    assert_eq!(s.verify_audit().await.unwrap().1, Some(ChainBreak::Unsealed { seq: 3 }));
}

/// Rewrite history from `from` on: record `from` gets a new action, every hash after it is
/// recomputed (plain SHA-256), the head moves; with `key`, the MACs are recomputed too (a holder
/// of the audit key).
async fn rewrite_from(s: &Store, from: i64, key: Option<&bastion_store::Crypto>) {
    let (recs, _) = s.audit_records(None, None, 1000, 0).await.unwrap();
    let mut recs: Vec<_> = recs.into_iter().rev().collect();
    let mut prev = recs.iter().find(|r| r.seq == from - 1).map(|r| r.hash.clone()).unwrap_or_default();
    for r in recs.iter_mut().filter(|r| r.seq >= from) {
        if r.seq == from {
            r.action = "篡改".into();
        }
        r.prev_hash = prev.clone();
        r.hash = r.compute_hash();
        if let Some(c) = key {
            r.seal(c).unwrap();
        }
        prev = r.hash.clone();
        sqlx::query(
            "UPDATE audit_log SET action = $1, prev_hash = $2, hash = $3, mac = $4, mac_key = $5 WHERE seq = $6",
        )
        .bind(&r.action)
        .bind(&r.prev_hash)
        .bind(&r.hash)
        .bind(&r.mac)
        .bind(r.mac_key)
        .bind(r.seq)
        .execute(s.reader())
        .await
        .unwrap();
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev).execute(s.reader()).await.unwrap();
}

/// Records from before MACs verify by hash up to the switch point; after it a MAC is required.
async fn records_before_the_switch_point_verify_by_hash(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = chain_of(&db, 6).await;
    exec(&s, "UPDATE audit_log SET mac = '', mac_key = 0 WHERE seq <= 4").await;
    assert_eq!(s.verify_audit().await.unwrap().1, Some(ChainBreak::Unsealed { seq: 1 }));
    exec(&s, "UPDATE audit_mac_from SET seq = 4 WHERE id = 1").await;
    assert_eq!(s.verify_audit().await.unwrap(), (6, None));
    assert_eq!(s.audit_mac_from().await.unwrap(), 4);
}

/// The CLI: `audit verify` names the rewritten record; an exported checkpoint catches even a
/// rewrite by a holder of the audit key; the audit key rotates and old records still verify.
async fn cli_checkpoint_and_key_rotation(backend: Backend) {
    let db = TestDb::new(backend).await;
    let cli = |args: &[&str]| bastion_testkit::run_bastion(env!("CARGO_BIN_EXE_bastion"), &db, args);
    let (ok, out) = cli(&["migrate"]);
    assert!(ok, "{out}");
    let s = db.store_with_key_file().await;
    for i in 0..4 {
        let mut tx = s.begin().await.unwrap();
        s.append_audit(&mut tx, &AuditEntry { action: format!("动作{i}"), ..Default::default() }).await.unwrap();
        bastion_store::commit(tx).await.unwrap();
    }
    let (ok, out) = cli(&["audit", "rotate-key"]);
    assert!(ok && out.contains("编号 2"), "{out}");
    let s = db.store_with_key_file().await;
    for i in 4..6 {
        let mut tx = s.begin().await.unwrap();
        s.append_audit(&mut tx, &AuditEntry { action: format!("动作{i}"), ..Default::default() }).await.unwrap();
        bastion_store::commit(tx).await.unwrap();
    }
    let cp = db.dir.path().join("checkpoint.txt");
    let (ok, out) = cli(&["audit", "checkpoint", "--out", cp.to_str().unwrap()]);
    assert!(ok && out.contains("seq=7") && out.contains("mac="), "{out}");
    let (ok, out) = cli(&["audit", "verify", "--checkpoint", cp.to_str().unwrap()]);
    assert!(ok && out.contains("审计链完整：共 7 条记录") && out.contains("与检查点相符"), "{out}");
    let keys: Vec<i64> = s.audit_records(None, None, 10, 0).await.unwrap().0.iter().map(|r| r.mac_key).collect();
    assert_eq!(keys, vec![2, 2, 2, 1, 1, 1, 1], "each record names its key; rotation keeps old ones verifying");

    // Without the key: the rewritten record is named.
    let before: Vec<_> = s.audit_records(None, None, 100, 0).await.unwrap().0;
    rewrite_from(&s, 3, None).await;
    let (ok, out) = cli(&["audit", "verify"]);
    assert!(!ok && out.contains("第 3 条") && out.contains("密钥校验码不符"), "{out}");
    // With the key (an insider): the chain checks out, the exported checkpoint does not.
    rewrite_from(&s, 3, Some(&*s.crypto)).await;
    let (ok, out) = cli(&["audit", "verify"]);
    assert!(ok, "{out}");
    let (ok, out) = cli(&["audit", "verify", "--checkpoint", cp.to_str().unwrap()]);
    assert!(!ok && out.contains("第 7 条") && out.contains("检查点"), "{out}");
    // A forged checkpoint file is refused.
    let text = std::fs::read_to_string(&cp).unwrap();
    let head: String = s.audit_records(None, None, 1, 0).await.unwrap().0[0].hash.clone();
    let forged = text
        .lines()
        .map(|l| if l.starts_with("hash=") { format!("hash={head}") } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&cp, forged).unwrap();
    let (ok, out) = cli(&["audit", "verify", "--checkpoint", cp.to_str().unwrap()]);
    assert!(!ok && out.contains("检查点文件的校验码不符"), "{out}");
    assert_ne!(before[0].hash, head);
}

both_backends!(
    rehashed_chain_is_named,
    records_before_the_switch_point_verify_by_hash,
    cli_checkpoint_and_key_rotation,
    batch_over_one_statement_keeps_the_chain,
    retention_purge_keeps_a_verifiable_chain,
    intact_chain_verifies,
    edited_record_is_named,
    deleted_record_is_named,
    reordered_records_are_named,
    truncated_tail_is_named,
    concurrent_writers_keep_one_chain
);
