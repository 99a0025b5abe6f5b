//! Store conformance: the same behaviour on both backends.

use bastion_core::org::{Category, DutyStatus, PoliceType, PoliticalStatus, Sex, UnitKind};
use bastion_core::{IdNumber, Phone};
use bastion_store::org::{NewPerson, NewUnit, PersonFilter, RowScope, UnitId};
use bastion_store::{Store, StoreError};
use bastion_testkit::{both_backends, Backend, TestDb};

async fn unit(store: &Store, parent: Option<UnitId>, code: &str) -> UnitId {
    let mut tx = store.begin().await.unwrap();
    let u = store
        .insert_unit(
            &mut tx,
            &NewUnit {
                parent_id: parent,
                code: code.into(),
                name: format!("单位{code}"),
                kind: UnitKind::Department,
                sort_order: 0,
                phone: None,
            },
        )
        .await
        .unwrap();
    bastion_store::commit(tx).await.unwrap();
    u.id
}

fn person(no: &str, unit: UnitId) -> NewPerson {
    NewPerson {
        police_no: no.into(),
        name: format!("测试{no}"),
        category: Category::Police,
        sex: Sex::Female,
        birth_date: Some("1949-12-31".into()),
        hire_date: None,
        id_number: Some(IdNumber::parse("11010519491231002X", jiff::civil::date(2026, 1, 1)).unwrap()),
        mobile: Some(Phone::parse("13800001111").unwrap()),
        unit_id: unit,
        position: None,
        political_status: PoliticalStatus::Member,
        duty_status: DutyStatus::OnDuty,
        police_types: vec![PoliceType::Traffic, PoliceType::Patrol],
        skills: vec!["驾驶".into()],
    }
}

/// `p` with test identity number `n` (every person needs a number of their own).
fn with_id(mut p: NewPerson, n: u32) -> NewPerson {
    let raw = bastion_testkit::test_id_number(n);
    p.id_number = Some(IdNumber::parse(&raw, jiff::civil::date(2026, 1, 1)).unwrap());
    p.birth_date = Some("1980-01-01".into());
    p
}

async fn subtree_and_scope(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = db.store().await;
    let root = unit(&s, None, "R").await;
    let a = unit(&s, Some(root), "A").await;
    let a1 = unit(&s, Some(a), "A1").await;
    let b = unit(&s, Some(root), "B").await;
    // Ids chosen so a naive prefix match would leak: /1/2/ must not include /1/20/…
    for i in 0..20 {
        unit(&s, Some(root), &format!("X{i}")).await;
    }
    let a_path = s.unit(a).await.unwrap().path;
    let sub: Vec<String> = s.subtree(a).await.unwrap().into_iter().map(|u| u.code).collect();
    assert_eq!(sub, vec!["A", "A1"]);
    let mut tx = s.begin().await.unwrap();
    let pa = s.insert_person(&mut tx, &person("100001", a1)).await.unwrap();
    let _pb = s.insert_person(&mut tx, &with_id(person("100002", b), 2)).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    let f = PersonFilter::default();
    let scoped = s.people(&RowScope::Subtrees(vec![a_path]), &f, 1, 10).await.unwrap();
    assert_eq!(scoped.total, 1);
    assert_eq!(scoped.items[0].id, pa);
    assert_eq!(s.people(&RowScope::All, &f, 1, 10).await.unwrap().total, 2);
    assert_eq!(s.people(&RowScope::Person(pa), &f, 1, 10).await.unwrap().total, 1);
    assert_eq!(s.people(&RowScope::Nothing, &f, 1, 10).await.unwrap().total, 0);
    let by_unit = PersonFilter { unit_id: Some(a.0), ..Default::default() };
    assert_eq!(s.people(&RowScope::All, &by_unit, 1, 10).await.unwrap().items[0].police_no, "100001");
    let by_type = PersonFilter { police_type: Some(PoliceType::Patrol), ..Default::default() };
    assert_eq!(s.people(&RowScope::All, &by_type, 1, 10).await.unwrap().total, 2);
    let by_type = PersonFilter { police_type: Some(PoliceType::Criminal), ..Default::default() };
    assert_eq!(s.people(&RowScope::All, &by_type, 1, 10).await.unwrap().total, 0);
}

async fn personal_numbers_are_encrypted_and_findable(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = db.store().await;
    let root = unit(&s, None, "R").await;
    let mut tx = s.begin().await.unwrap();
    let id = s.insert_person(&mut tx, &person("100001", root)).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    let p = s.person(id).await.unwrap();
    assert_eq!(p.id_number_masked.as_deref(), Some("110***********002X"));
    assert_eq!(p.mobile_masked.as_deref(), Some("138****1111"));
    assert_eq!(p.police_types, vec![PoliceType::Traffic, PoliceType::Patrol]);
    let r = s.reveal_person(id).await.unwrap();
    assert_eq!(r.id_number.as_deref(), Some("11010519491231002X"));
    assert_eq!(r.mobile.as_deref(), Some("13800001111"));
    let found = s
        .people_by_id_number(&IdNumber::parse("11010519491231002X", jiff::civil::date(2026, 1, 1)).unwrap())
        .await
        .unwrap();
    assert_eq!(found, vec![id]);
    // No clear number anywhere in the raw row.
    let raw: Vec<u8> = sqlx_any_blob(&s, id.0).await;
    assert!(!String::from_utf8_lossy(&raw).contains("19491231"));
}

async fn sqlx_any_blob(s: &Store, id: i64) -> Vec<u8> {
    use sqlx::Row;
    let row = sqlx::query("SELECT id_cipher FROM people WHERE id = $1").bind(id).fetch_one(s.reader()).await.unwrap();
    row.try_get::<Vec<u8>, _>("id_cipher").unwrap()
}

async fn duplicate_police_number_is_named(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = db.store().await;
    let root = unit(&s, None, "R").await;
    let mut tx = s.begin().await.unwrap();
    s.insert_person(&mut tx, &person("100001", root)).await.unwrap();
    let err = s.insert_person(&mut tx, &with_id(person("100001", root), 2)).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { field: "警号", .. }), "{err:?}");
    // The same identity number under another police number: the unique index refuses it too
    // (the last line of defence when two requests race past the application's check).
    drop(tx);
    let mut tx = s.begin().await.unwrap();
    s.insert_person(&mut tx, &person("100001", root)).await.unwrap();
    let err = s.insert_person(&mut tx, &person("100002", root)).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Duplicate { field: "身份证号", value } if value == "110***********002X"),
        "{err:?}"
    );
}

async fn rollback_writes_nothing(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = db.store().await;
    let root = unit(&s, None, "R").await;
    {
        let mut tx = s.begin().await.unwrap();
        s.insert_person(&mut tx, &person("100001", root)).await.unwrap();
        // dropped without commit
    }
    assert_eq!(s.people(&RowScope::All, &PersonFilter::default(), 1, 10).await.unwrap().total, 0);
}

async fn reopening_migrates_once_and_keeps_data(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = db.store_with_key_file().await;
    let root = unit(&s, None, "R").await;
    let mut tx = s.begin().await.unwrap();
    let id = s.insert_person(&mut tx, &person("100001", root)).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    s.close().await;
    let again = db.store_with_key_file().await;
    assert_eq!(again.reveal_person(id).await.unwrap().mobile.as_deref(), Some("13800001111"));
}

/// Inserts `settings` rows; a key already taken breaks its transaction (primary key). Each output
/// is the size of the batch the item was committed in.
struct SettingsBatch;

impl bastion_store::group_commit::Batch for SettingsBatch {
    type Item = String;
    type Output = usize;
    async fn apply(
        &self,
        _: &Store,
        tx: &mut bastion_store::Tx,
        items: &[String],
    ) -> bastion_store::StoreResult<Vec<usize>> {
        for key in items {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, 'v')").bind(key).execute(&mut **tx).await?;
        }
        Ok(vec![items.len(); items.len()])
    }
}

async fn group_commit_batches_and_isolates_a_bad_row(backend: Backend) {
    use bastion_store::group_commit::GroupCommit;
    let db = TestDb::new(backend).await;
    let s = db.store().await;
    let mut tx = s.begin().await.unwrap();
    s.put_setting(&mut tx, "gc.taken", "old").await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    let writer = GroupCommit::spawn(s.clone(), SettingsBatch, 100);
    let keys: Vec<String> = (0..300).map(|i| if i == 150 { "gc.taken".into() } else { format!("gc.{i}") }).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, k) in keys.into_iter().enumerate() {
        let (w, s) = (writer.clone(), s.clone());
        tasks.spawn(async move {
            let out = w.submit(k.clone()).await;
            // Answered only once durable: a reader already sees the row.
            if out.is_ok() {
                assert_eq!(s.setting(&k).await.unwrap().as_deref(), Some("v"), "{k} not visible after its answer");
            }
            (i, out)
        });
    }
    let mut results: Vec<_> = tasks.join_all().await;
    results.sort_by_key(|(i, _)| *i);
    let results: Vec<_> = results.into_iter().map(|(_, r)| r).collect();
    assert!(results[150].is_err(), "the taken key must fail");
    let ok: Vec<usize> = results.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
    assert_eq!(ok.len(), 299, "every other row is answered Ok");
    assert!(ok.iter().any(|&n| n > 1), "rows queued together share a transaction");
    use sqlx::Row;
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM settings WHERE key LIKE 'gc.%'")
        .fetch_one(s.reader())
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(n, 300, "299 new rows and the old one");
    assert_eq!(s.setting("gc.taken").await.unwrap().as_deref(), Some("old"));
}

/// An import's progress reports are fire-and-forget and may land after the job has finished: a
/// late one must not turn the finished job back into "running" (the page then showed "正在导入…
/// 2 / 2" for ever), nor move the count backwards.
async fn late_progress_does_not_reopen_a_finished_job(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = db.store().await;
    s.create_job("j1", "import:people", 1, 0).await.unwrap();
    s.job_progress("j1", 2, 3).await.unwrap();
    s.job_progress("j1", 1, 3).await.unwrap();
    let j = s.job("j1").await.unwrap();
    assert_eq!((j.status.as_str(), j.done, j.message.as_str()), ("running", 2, "3"));
    s.update_job("j1", "done", 3, "{}", None).await.unwrap();
    s.job_progress("j1", 3, 3).await.unwrap();
    let j = s.job("j1").await.unwrap();
    assert_eq!((j.status.as_str(), j.done, j.message.as_str()), ("done", 3, "{}"));
}

both_backends!(
    late_progress_does_not_reopen_a_finished_job,
    group_commit_batches_and_isolates_a_bad_row,
    subtree_and_scope,
    personal_numbers_are_encrypted_and_findable,
    duplicate_police_number_is_named,
    rollback_writes_nothing,
    reopening_migrates_once_and_keeps_data
);
