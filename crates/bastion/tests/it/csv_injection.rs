//! CSV exports never hand a spreadsheet a formula: every writer quotes formula-like cells, and
//! the importer takes exactly that quote off again, so export → import changes nothing.

use bastion_app::org::PersonInput;
use bastion_app::transfer::{Format2, ImportOptions};
use bastion_app::Ctx;
use bastion_store::audit::AuditEntry;
use bastion_store::org::{PersonFilter, RowScope, UnitId};
use bastion_testkit::{both_backends, spawn_app, Backend, TestApp, TestDb, DEMO_PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

/// Names an attacker (or an unlucky typist) could give a person.
const HOSTILE: &[&str] = &["=1+1", "+8613800000000", "-2+3", "@SUM(A1)", "＝1+1", "＋1", "－1", "＠A1"];
const TRIGGERS: &[char] = &['=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠'];

fn admin() -> Ctx {
    Ctx::cli(UnitId(1))
}

fn no_progress(_: usize, _: usize) {}

/// Every cell of a CSV export; panics when one would run as a formula.
fn safe_cells(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut cells = Vec::new();
    for rec in rdr.records() {
        for c in rec.unwrap().iter() {
            assert!(!c.starts_with(TRIGGERS), "a cell a spreadsheet would run: {c:?}");
            cells.push(c.to_string());
        }
    }
    cells
}

fn assert_quoted(cells: &[String], values: &[&str]) {
    for v in values {
        let quoted = format!("'{v}");
        assert!(cells.contains(&quoted), "{quoted:?} missing from the export");
    }
}

async fn hostile_people(t: &TestApp) {
    for (i, name) in HOSTILE.iter().enumerate() {
        let input = PersonInput {
            police_no: format!("99{:04}", i),
            name: name.to_string(),
            category: "民警".into(),
            sex: "男".into(),
            id_number: bastion_testkit::test_id_number(i as u32),
            unit_code: "D13".into(),
            position: "@职务".into(),
            ..Default::default()
        };
        t.app.create_person(&admin(), &input).await.unwrap();
    }
}

async fn people_exports_quote_formulas_and_round_trip(backend: Backend) {
    let t = spawn_app(backend, true).await;
    hostile_people(&t).await;
    // The app's export (used by the CLI), the API's streamed export and the page's export.
    let (bytes, n) = t.app.export_people(&admin(), &PersonFilter::default(), Format2::Csv).await.unwrap();
    assert_eq!(n as usize, 956 + HOSTILE.len());
    let cells = safe_cells(&bytes);
    assert_quoted(&cells, HOSTILE);
    assert_quoted(&cells, &["@职务"]);
    let c = t.login("sysadmin").await;
    for url in ["/api/people/export?format=csv", "/org/transfer/export?format=csv"] {
        let r = c.get(t.url(url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        let body = r.bytes().await.unwrap();
        let cells = safe_cells(&body);
        assert_quoted(&cells, HOSTILE);
    }
    // XLSX stays free of formulas and carries the values as typed.
    let (xlsx, _) = t.app.export_people(&admin(), &PersonFilter::default(), Format2::Xlsx).await.unwrap();
    assert!(!String::from_utf8_lossy(&xlsx).contains("<f>"));

    // Round trip: the quote comes off again, nothing changes.
    let report = t
        .app
        .import_people(&admin(), "p.csv", &bytes, ImportOptions { update_existing: true, dry_run: false }, &no_progress)
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", &report.errors[..report.errors.len().min(3)]);
    assert_eq!((report.created, report.updated, report.unchanged), (0, 0, 956 + HOSTILE.len()));
    for (i, name) in HOSTILE.iter().enumerate() {
        let f = PersonFilter { police_no: Some(format!("99{:04}", i)), ..Default::default() };
        let p = t.app.store.people(&RowScope::All, &f, 1, 10).await.unwrap().items;
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].name, *name, "stored as typed");
        assert_eq!(p[0].position.as_deref(), Some("@职务"));
    }
    // A hand-made file whose value begins with a quote and a formula keeps that quote once.
    let csv = format!(
        "警号,姓名,人员类别,性别,单位编码,身份证号\n990100,'''=x,民警,男,D13,{}\n",
        bastion_testkit::test_id_number(100)
    );
    let r = t.app.import_people(&admin(), "q.csv", csv.as_bytes(), ImportOptions::default(), &no_progress).await;
    assert!(r.unwrap().committed);
    let f = PersonFilter { police_no: Some("990100".into()), ..Default::default() };
    assert_eq!(t.app.store.people(&RowScope::All, &f, 1, 1).await.unwrap().items[0].name, "''=x");
}

async fn recall_and_audit_exports_quote_formulas(backend: Backend) {
    let t = spawn_app(backend, true).await;
    hostile_people(&t).await;
    // Recall missing list.
    let c = t.login("commander").await;
    let d13 = crate::recall::unit_id(&t, "D13").await;
    let (s, created) = crate::recall::issue(&c, &t, d13, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    for url in [format!("/api/recall/{id}/missing/export"), format!("/recall/{id}/missing.csv")] {
        let r = c.get(t.url(&url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        let cells = safe_cells(&r.bytes().await.unwrap());
        assert_quoted(&cells, HOSTILE);
    }
    // Audit log: values that reach it from elsewhere (a role name, a reason), tab and CR included.
    let mut tx = t.app.store.begin().await.unwrap();
    let entry = AuditEntry {
        account: "=HYPERLINK(\"x\")".into(),
        module: "roles".into(),
        action: "+新增角色".into(),
        target: "\t=1+1".into(),
        detail: "\r@SUM(1)".into(),
        result: "－1".into(),
        ..Default::default()
    };
    t.app.store.append_audit(&mut tx, &entry).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    let audit = t.login("auditadmin").await;
    for url in ["/api/audit/export", "/system/audit/export"] {
        let r = audit.get(t.url(url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        let cells = safe_cells(&r.bytes().await.unwrap());
        assert_quoted(&cells, &["=HYPERLINK(\"x\")", "+新增角色", "\t=1+1", "\r@SUM(1)", "－1"]);
    }
    assert_eq!(t.app.store.verify_audit().await.unwrap().1, None);
}

async fn cli_export_quotes_formulas(backend: Backend) {
    let db = TestDb::new(backend).await;
    let bastion = || {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_bastion"));
        c.arg("--data").arg(db.data_dir());
        if let Some(url) = &db.database {
            c.arg("--database").arg(url);
        }
        c.env("BASTION_DEMO_PASSWORD", DEMO_PASSWORD).env_remove("BASTION_DATABASE").env_remove("BASTION_CONFIG");
        c
    };
    let out = bastion().arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut file = String::from("警号,姓名,人员类别,性别,单位编码,身份证号\n");
    for (i, name) in HOSTILE.iter().enumerate() {
        file.push_str(&format!("99{i:04},{name},民警,男,D13,{}\n", bastion_testkit::test_id_number(i as u32)));
    }
    let input = db.dir.path().join("hostile.csv");
    std::fs::write(&input, file).unwrap();
    let out = bastion().arg("import").arg(&input).output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let dest = db.dir.path().join("out.csv");
    let out = bastion().arg("export").arg(&dest).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cells = safe_cells(&std::fs::read(&dest).unwrap());
    assert_quoted(&cells, HOSTILE);
}

both_backends!(
    people_exports_quote_formulas_and_round_trip,
    recall_and_audit_exports_quote_formulas,
    cli_export_quotes_formulas
);
