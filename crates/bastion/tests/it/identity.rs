//! An identity number belongs to one person: the API, the page form and the import refuse a
//! second holder (the 15-digit form of the same number included), naming the field, the rule and
//! — where the caller may see that person — the holder's police number. Duplicates stored before
//! the rule are reported, never merged.

use bastion_app::transfer::ImportOptions;
use bastion_app::Ctx;
use bastion_store::org::UnitId;
use bastion_testkit::{both_backends, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A valid 18-digit number from its first 17 digits.
fn id18(first17: &str) -> String {
    format!("{first17}{}", bastion_core::id_number::check_char(first17.as_bytes()))
}

const LEGACY15: &str = "110105491231002"; // upgrades to 11010519491231002?

fn no_progress(_: usize, _: usize) {}

async fn unit_id(t: &TestApp, code: &str) -> i64 {
    t.app.store.unit_by_code(code).await.unwrap().unwrap().id.0
}

fn person(police_no: &str, id_number: &str, unit: i64) -> Value {
    json!({"police_no": police_no, "name": "测试员", "category": "民警", "id_number": id_number, "unit_id": unit.to_string()})
}

async fn duplicate_id_numbers_are_refused(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("sysadmin").await;
    let d13 = unit_id(&t, "D13").await;
    let number = id18("11010519491231002");
    let r = c.post(t.url("/api/people")).json(&person("990001", &number, d13)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let first: Value = r.json().await.unwrap();

    // API: the same number, and its 15-digit form.
    for (no, raw) in [("990002", number.as_str()), ("990003", LEGACY15)] {
        let r = c.post(t.url("/api/people")).json(&person(no, raw, d13)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{raw}");
        let e: Value = r.json().await.unwrap();
        let err = &e["errors"][0];
        assert_eq!(err["field"], "身份证号", "{e}");
        let msg = err["message"].as_str().unwrap();
        assert!(msg.contains("警号 990001") && msg.contains("只能属于一人"), "{msg}");
    }
    // Editing another person onto the number is refused too; keeping one's own number is fine.
    let other: Value = c.get(t.url("/api/people?size=1")).send().await.unwrap().json().await.unwrap();
    let other_id = other["items"][0]["id"].as_i64().unwrap();
    let other_no = other["items"][0]["police_no"].as_str().unwrap().to_string();
    let r =
        c.put(t.url(&format!("/api/people/{other_id}"))).json(&person(&other_no, LEGACY15, d13)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let first_id = first["id"].as_i64().unwrap();
    let r =
        c.put(t.url(&format!("/api/people/{first_id}"))).json(&person("990001", LEGACY15, d13)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    // A new person without an identity number: the error names it (not the sex that follows from it).
    let r = c.post(t.url("/api/people")).json(&person("990009", "", d13)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["身份证号"], "{e}");
    assert!(e["errors"][0]["message"].as_str().unwrap().contains("身份证号不能为空"), "{e}");
    let csv = "警号,姓名,人员类别,性别,身份证号,单位编码\n990010,无号,民警,,,D13\n";
    let report = t
        .app
        .import_people(&Ctx::cli(UnitId(1)), "none.csv", csv.as_bytes(), ImportOptions::default(), &no_progress)
        .await
        .unwrap();
    let cols: Vec<&str> = report.errors.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(cols, vec!["身份证号"], "{:?}", report.errors);

    // Page form: the form comes back with the message.
    let form = [
        ("police_no", "990004"),
        ("name", "表单员"),
        ("category", "民警"),
        ("id_number", number.as_str()),
        ("unit_id", &d13.to_string()),
    ];
    let r = c.post(t.url("/org/people")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("身份证号已被警号 990001 的人员使用"), "the form names the holder");

    // Import: against a stored person and within the file (18 and 15 digits of one number).
    let other = id18("44030419850101001");
    let other15 = "440304850101001";
    let csv = format!(
        "警号,姓名,人员类别,性别,身份证号,单位编码\n990005,甲,民警,,{number},D13\n990006,乙,民警,,{other},D13\n990007,丙,民警,,{other15},D13\n"
    );
    let report = t
        .app
        .import_people(&Ctx::cli(UnitId(1)), "dup.csv", csv.as_bytes(), ImportOptions::default(), &no_progress)
        .await
        .unwrap();
    assert!(!report.committed);
    let mut errs: Vec<(usize, String, String)> =
        report.errors.iter().map(|e| (e.row, e.column.clone(), e.rule.clone())).collect();
    errs.sort();
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!((errs[0].0, errs[0].1.as_str()), (2, "身份证号"));
    assert!(errs[0].2.contains("警号 990001"), "{errs:?}");
    assert_eq!((errs[1].0, errs[1].1.as_str()), (4, "身份证号"));
    assert!(errs[1].2.contains("第 3 行"), "{errs:?}");
    assert!(report.errors.iter().all(|e| e.value.contains('*')), "numbers masked in the report");
    assert!(t.app.duplicate_id_numbers().await.unwrap().is_empty());
}

async fn holder_hidden_outside_scope_and_old_duplicates_reported(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let sys = t.login("sysadmin").await;
    let west = unit_id(&t, "S01").await;
    let units: Value = sys.get(t.url("/api/units")).send().await.unwrap().json().await.unwrap();
    let east = units.as_array().unwrap().iter().find(|u| u["name"] == "东关派出所").unwrap()["id"].as_i64().unwrap();
    assert_ne!(east, west);
    let number = id18("11010519491231002");
    let r = sys.post(t.url("/api/people")).json(&person("990001", &number, west)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // A writer whose scope is 东关 only does not learn who holds the number.
    let sec = t.login("secadmin").await;
    let role = json!({"key": "east_writer", "name": "东关录入", "units": [east], "grants": [
        {"perm": "org:person:read", "scope": "units"},
        {"perm": "org:person:write", "scope": "units"},
        {"perm": "org:unit:read", "scope": "all"}]});
    let r = sec.post(t.url("/api/roles")).json(&role).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let r =
        sec.put(t.url("/api/accounts/officer/roles")).json(&json!({"roles": ["east_writer"]})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let officer = t.login("officer").await;
    let r = officer.post(t.url("/api/people")).json(&person("990002", LEGACY15, east)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    let msg = e["errors"][0]["message"].as_str().unwrap();
    assert!(msg.contains("已被其他人员使用") && !msg.contains("990001"), "{msg}");

    // A duplicate stored before the rule (simulated behind the application's back) is reported.
    let body = person("990003", &bastion_testkit::test_id_number(3), west);
    let second = sys.post(t.url("/api/people")).json(&body).send().await.unwrap();
    assert_eq!(second.status(), StatusCode::CREATED);
    let second: Value = second.json().await.unwrap();
    sqlx::query("UPDATE people SET id_bidx = (SELECT id_bidx FROM people WHERE police_no = '990001') WHERE id = $1")
        .bind(second["id"].as_i64().unwrap())
        .execute(t.app.store.reader())
        .await
        .unwrap();
    assert_eq!(t.app.duplicate_id_numbers().await.unwrap(), vec![vec!["990001".to_string(), "990003".to_string()]]);
}

/// `bastion check` lists identity numbers held by more than one person and exits non-zero.
async fn check_command_lists_stored_duplicates(backend: Backend) {
    let db = bastion_testkit::TestDb::new(backend).await;
    let cli = |args: &[&str]| bastion_testkit::run_bastion(env!("CARGO_BIN_EXE_bastion"), &db, args);
    let (ok, out) = cli(&["migrate"]);
    assert!(ok, "{out}");
    let s = db.store_with_key_file().await;
    let mut tx = s.begin().await.unwrap();
    let unit = s
        .insert_unit(
            &mut tx,
            &bastion_store::org::NewUnit {
                parent_id: None,
                code: "R".into(),
                name: "局".into(),
                kind: bastion_core::org::UnitKind::Bureau,
                sort_order: 0,
                phone: None,
            },
        )
        .await
        .unwrap()
        .id;
    bastion_store::commit(tx).await.unwrap();
    let app = bastion_app::App::new(s.clone(), bastion_app::Policy::default());
    let ctx = Ctx::cli(unit);
    for (no, n) in [("880001", 1), ("880002", 2)] {
        let input = bastion_app::org::PersonInput {
            police_no: no.into(),
            name: "甲".into(),
            category: "民警".into(),
            id_number: bastion_testkit::test_id_number(n),
            unit_id: unit.0.to_string(),
            ..Default::default()
        };
        app.create_person(&ctx, &input).await.unwrap();
    }
    let (ok, out) = cli(&["check"]);
    assert!(ok && out.contains("没有重复的身份证号"), "{out}");
    sqlx::query("UPDATE people SET id_bidx = (SELECT id_bidx FROM people WHERE police_no = '880001') WHERE police_no = '880002'")
        .execute(s.reader())
        .await
        .unwrap();
    let (ok, out) = cli(&["check"]);
    assert!(!ok && out.contains("警号 880001、880002 持有同一身份证号"), "{out}");
}

both_backends!(
    duplicate_id_numbers_are_refused,
    holder_hidden_outside_scope_and_old_duplicates_reported,
    check_command_lists_stored_duplicates
);
