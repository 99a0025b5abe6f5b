//! Input rules that count what a person sees: passwords refuse control and invisible characters,
//! count visible characters and stop at 128; identity and phone numbers typed in full width are
//! normalised (NFKC) and their length is reported in characters.

use bastion_testkit::{both_backends, spawn_app, Backend, DEMO_PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn passwords_count_visible_characters(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("officer").await;
    let refused = [
        ("Abc#1234\u{0}x", "控制字符"),
        ("Abc#12\u{200B}34", "零宽"),
        ("\u{FEFF}Abc#12345", "零宽"),
        ("Ab1#    ", "少于 8 位"),
        ("Ab1     x", "少于 8 位"),
    ];
    for (pw, rule) in refused {
        let r = c
            .post(t.url("/api/password"))
            .json(&json!({"old_password": DEMO_PASSWORD, "new_password": pw}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{pw:?}");
        let e: Value = r.json().await.unwrap();
        assert!(e.to_string().contains("密码") && e.to_string().contains(rule), "{pw:?}: {e}");
    }
    let long = format!("Abc#1234{}", "x".repeat(121));
    let r = c
        .post(t.url("/api/password"))
        .json(&json!({"old_password": DEMO_PASSWORD, "new_password": long}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("不能超过 128 位"));
    // 128 is still fine.
    let ok = format!("Abc#1234{}", "x".repeat(120));
    let r = c
        .post(t.url("/api/password"))
        .json(&json!({"old_password": DEMO_PASSWORD, "new_password": ok}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    // A 5,000-character password at sign-in is refused like any wrong one.
    let r = t
        .client()
        .post(t.url("/api/login"))
        .json(&json!({"username": "duty", "password": "A#1".repeat(1700)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn full_width_numbers_are_normalised(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("sysadmin").await;
    let d13 = t.app.store.unit_by_code("D13").await.unwrap().unwrap().id.0;
    let body = json!({"police_no": "990001", "name": "全角", "category": "民警", "unit_id": d13.to_string(),
        "id_number": "１１０１０５１９４９１２３１００２ｘ", "mobile": "１３８ ００００ １１１１"});
    let r = c.post(t.url("/api/people")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["id_number_masked"], "110***********002X");
    assert_eq!(p["mobile_masked"], "138****1111");
    let body = json!({"police_no": "990002", "name": "字数", "category": "民警", "unit_id": d13.to_string(),
        "id_number": "一二三四五"});
    let r = c.post(t.url("/api/people")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    let msg = e["errors"][0]["message"].as_str().unwrap();
    assert!(msg.contains("实为5位"), "characters, not bytes: {msg}");
}

async fn skills_are_stored_as_typed(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("sysadmin").await;
    let d13 = t.app.store.unit_by_code("D13").await.unwrap().unwrap().id.0;
    let person = |no: &str, skills: Value| {
        let n: u32 = no[3..].parse().unwrap();
        json!({"police_no": no, "name": "技能", "category": "民警", "sex": "男", "unit_id": d13.to_string(), "skills": skills,
            "id_number": bastion_testkit::test_id_number(n)})
    };
    let r = c.post(t.url("/api/people")).json(&person("990001", json!("@SUM(1,1)、驾驶;维修"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["skills"], json!(["@SUM(1,1)", "驾驶;维修"]), "only 、 separates skills");
    let r =
        c.post(t.url("/api/people")).json(&person("990002", json!(["急救,心肺复苏", "英语"]))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["skills"], json!(["急救,心肺复苏", "英语"]), "a JSON list is taken item by item");
    let r = c.post(t.url("/api/people")).json(&person("990003", json!("驾\u{1}驶"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["errors"][0]["field"], "技能特长", "{e}");
    assert!(e["errors"][0]["message"].as_str().unwrap().contains("控制字符"), "{e}");
    // Export and re-import: unchanged.
    let ctx = bastion_app::Ctx::cli(bastion_store::org::UnitId(1));
    let f = bastion_store::org::PersonFilter { unit_id: Some(d13), ..Default::default() };
    for format in [bastion_app::transfer::Format2::Csv, bastion_app::transfer::Format2::Xlsx] {
        let (bytes, n) = t.app.export_people(&ctx, &f, format).await.unwrap();
        let name = if format == bastion_app::transfer::Format2::Csv { "s.csv" } else { "s.xlsx" };
        let opts = bastion_app::transfer::ImportOptions { update_existing: true, dry_run: false };
        let report = t.app.import_people(&ctx, name, &bytes, opts, &|_, _| {}).await.unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.unchanged as i64, n, "{format:?}");
    }
}

both_backends!(passwords_count_visible_characters, full_width_numbers_are_normalised, skills_are_stored_as_typed);
