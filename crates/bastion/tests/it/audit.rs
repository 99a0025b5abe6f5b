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

both_backends!(
    batch_over_one_statement_keeps_the_chain,
    retention_purge_keeps_a_verifiable_chain,
    intact_chain_verifies,
    edited_record_is_named,
    deleted_record_is_named,
    reordered_records_are_named,
    truncated_tail_is_named,
    concurrent_writers_keep_one_chain
);
