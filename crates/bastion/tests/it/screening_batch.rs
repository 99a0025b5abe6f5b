//! The registration writer's one-statement batch (`Store::insert_screenings_alone`): on PostgreSQL
//! a plain batch is stored whole in one statement, and whatever it declines (a moved audit head, a
//! resend, a fever) leaves nothing behind for the transaction path to redo. SQLite always declines.
//! Both backends end in the same stored state, checked through counts, counters and the chain.

use bastion_core::checkpoint::{
    CheckpointKind, CheckpointStatus, Decision, DocType, EntryMode, HealthCode, Reason, TempMethod, Temperature,
    VehicleType,
};
use bastion_core::org::UnitKind;
use bastion_store::audit::AuditEntry;
use bastion_store::checkpoint::{CheckpointId, NewCheckpoint, NewScreening, Registered, SealedScreening};
use bastion_store::org::NewUnit;
use bastion_store::Store;
use bastion_testkit::{both_backends, Backend, TestDb};
use sqlx::Row;

async fn checkpoint(s: &Store) -> CheckpointId {
    let mut tx = s.begin().await.unwrap();
    let u = s
        .insert_unit(
            &mut tx,
            &NewUnit {
                parent_id: None,
                code: "QL".into(),
                name: "青岚县公安局".into(),
                kind: UnitKind::Department,
                sort_order: 0,
                phone: None,
            },
        )
        .await
        .unwrap();
    let c = NewCheckpoint {
        name: "G319 入城卡点".into(),
        kind: CheckpointKind::Entry,
        location: "G319 青岚收费站".into(),
        hours: "24 小时".into(),
        police_types: vec![],
        unit_id: u.id,
        status: CheckpointStatus::Open,
        leader: String::new(),
        fever_clinic: "县人民医院发热门诊".into(),
    };
    let id = s.insert_checkpoint(&mut tx, &c, "qlg319").await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    id
}

fn item(s: &Store, cp: CheckpointId, n: u32, temp: i64) -> SealedScreening {
    s.seal_screening(NewScreening {
        id: format!("5c0e{n:04x}-0000-4000-8000-000000000000"),
        checkpoint_id: cp,
        mode: EntryMode::Officer,
        captured_at: bastion_core::time::now_ms(),
        name: "林晓风".into(),
        doc_type: DocType::IdCard,
        doc_number: "11010519491231002X".into(),
        sex: None,
        birth_year: None,
        phone: None,
        plate: None,
        vehicle_type: VehicleType::Car,
        driver_id: None,
        origin: "武汉市".into(),
        destination: "青岚县城关镇".into(),
        reason: Reason::ReturnHome,
        travel_flag: true,
        health_code: HealthCode::Green,
        temp: Temperature::clamped(temp),
        temp2: None,
        method: TempMethod::Forehead,
        fever: temp >= 373,
        decision: Decision::Pass,
        officer_id: 1,
        officer: "checkpoint".into(),
        clinic: "县人民医院发热门诊".into(),
        pass_code: None,
        audit_unit: "QL".into(),
        audit_ip: "127.0.0.1".into(),
        request_id: String::new(),
    })
    .unwrap()
}

/// (stored registrations, their audit records, the counters' total).
async fn stored(s: &Store) -> (i64, i64, i64) {
    let n = |sql: &'static str| async move {
        sqlx::query(sql).fetch_one(s.reader()).await.unwrap().try_get::<i64, _>("n").unwrap()
    };
    (
        n("SELECT COUNT(*) AS n FROM screenings").await,
        n("SELECT COUNT(*) AS n FROM audit_log WHERE module = 'checkpoint'").await,
        n("SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) AS n FROM checkpoint_counts").await,
    )
}

/// The writer's fallback: the batch in a transaction.
async fn in_tx(s: &Store, items: &[SealedScreening]) -> Vec<Registered> {
    let mut tx = s.begin().await.unwrap();
    let out = s.insert_screenings(&mut tx, items).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    out
}

async fn plain_batch_is_one_statement_on_postgres(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = db.store().await;
    let cp = checkpoint(&s).await;
    let items: Vec<_> = (0..40).map(|n| item(&s, cp, n, 366)).collect();
    let out = s.insert_screenings_alone(&items).await.unwrap();
    match backend {
        Backend::Postgres => {
            let out = out.expect("a plain batch is written as one statement");
            assert!(out.iter().zip(&items).all(|(o, i)| o.created && o.id == i.row.id && o.fever_case.is_none()));
            assert_eq!(stored(&s).await, (40, 40, 40));
        }
        Backend::Sqlite => {
            assert!(out.is_none(), "SQLite always uses the transaction");
            assert_eq!(stored(&s).await, (0, 0, 0));
        }
    }
    // The next batch follows on from the head the first one left, on either path.
    let more: Vec<_> = (40..45).map(|n| item(&s, cp, n, 365)).collect();
    if s.insert_screenings_alone(&more).await.unwrap().is_none() {
        in_tx(&s, &items).await;
        in_tx(&s, &more).await;
    }
    assert_eq!(stored(&s).await, (45, 45, 45));
    assert_eq!(s.verify_audit().await.unwrap(), (45, None));
}

async fn a_declined_batch_leaves_nothing_behind(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = db.store().await;
    let cp = checkpoint(&s).await;
    let first: Vec<_> = (0..10).map(|n| item(&s, cp, n, 366)).collect();
    if s.insert_screenings_alone(&first).await.unwrap().is_none() {
        in_tx(&s, &first).await;
    }
    // Another action's record moves the audit head behind the writer's back.
    let mut tx = s.begin().await.unwrap();
    s.append_audit(
        &mut tx,
        &AuditEntry { account: "commander".into(), action: "修改卡点".into(), ..Default::default() },
    )
    .await
    .unwrap();
    bastion_store::commit(tx).await.unwrap();
    let second: Vec<_> = (10..20).map(|n| item(&s, cp, n, 366)).collect();
    assert!(s.insert_screenings_alone(&second).await.unwrap().is_none(), "the head it expected has moved");
    assert_eq!(stored(&s).await, (10, 10, 10), "nothing of the declined batch is kept");
    assert!(in_tx(&s, &second).await.iter().all(|r| r.created));
    // A resend among new rows: declined whole, and the transaction tells the resend apart.
    let mut mixed: Vec<_> = (20..25).map(|n| item(&s, cp, n, 366)).collect();
    mixed.push(item(&s, cp, 3, 366));
    assert!(s.insert_screenings_alone(&mixed).await.unwrap().is_none(), "one row was stored before");
    assert_eq!(stored(&s).await, (20, 20, 20));
    let created: Vec<bool> = in_tx(&s, &mixed).await.iter().map(|r| r.created).collect();
    assert_eq!(created, [true, true, true, true, true, false]);
    // The same id twice in one batch, and a fever (a case to open): both go to the transaction.
    let twice = vec![item(&s, cp, 30, 366), item(&s, cp, 30, 366)];
    assert!(s.insert_screenings_alone(&twice).await.unwrap().is_none());
    let fever = vec![item(&s, cp, 31, 366), item(&s, cp, 32, 381)];
    assert!(s.insert_screenings_alone(&fever).await.unwrap().is_none());
    assert_eq!(stored(&s).await, (25, 25, 25));
    let out = in_tx(&s, &fever).await;
    assert!(out[1].fever_case.is_some());
    // After the transaction path the writer's next plain batch is one statement again.
    let after: Vec<_> = (40..50).map(|n| item(&s, cp, n, 366)).collect();
    let alone = s.insert_screenings_alone(&after).await.unwrap();
    assert_eq!(alone.is_some(), backend == Backend::Postgres);
    if alone.is_none() {
        in_tx(&s, &after).await;
    }
    assert_eq!(stored(&s).await, (37, 37, 37));
    assert_eq!(s.verify_audit().await.unwrap(), (38, None), "37 registrations and the other action, one chain");
}

both_backends!(plain_batch_is_one_statement_on_postgres, a_declined_batch_leaves_nothing_behind);
