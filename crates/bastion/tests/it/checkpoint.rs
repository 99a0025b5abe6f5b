//! Checkpoints and screening over real HTTP on both backends: officer entry, resends,
//! bad input, fever follow-up, self-registration, trace, scope, pages, posters, purge, and a
//! kill -9 crash test of acknowledged registrations.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bastion_testkit::{
    bastion_command, both_backends, eventually, spawn_app, Backend, ServedBinary, TestApp, TestDb, DEMO_PASSWORD,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ID_A: &str = "11010519491231002X";
const ID_B: &str = "370101190102039973";

pub(super) async fn checkpoint_named(t: &TestApp, c: &reqwest::Client, name: &str) -> i64 {
    let list: Value = c.get(t.url("/api/checkpoints")).send().await.unwrap().json().await.unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap().contains(name))
        .unwrap_or_else(|| panic!("no checkpoint {name}: {list}"))["id"]
        .as_i64()
        .unwrap()
}

pub(super) fn uuid() -> String {
    let b: [u8; 16] = rand_bytes();
    let h = hex(&b);
    format!("{}-{}-4{}-a{}-{}", &h[..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
}

fn rand_bytes() -> [u8; 16] {
    let mut out = [0u8; 16];
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut x = (nanos as u64) ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(std::process::id()) << 32;
    for b in out.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub(super) fn body(cp: i64, id: &str) -> Value {
    json!({
        "id": id, "checkpoint_id": cp, "name": "林晓风", "doc_type": "id_card", "doc_number": ID_A,
        "phone": "13900001111", "plate": "赣G12345", "vehicle_type": "car", "origin": "武汉市", "destination": "青岚县城关镇",
        "reason": "return_home", "travel_flag": "1", "health_code": "green", "temp": "36.6", "method": "forehead", "decision": "pass"
    })
}

fn with(mut b: Value, k: &str, v: Value) -> Value {
    b[k] = v;
    b
}

async fn post(c: &reqwest::Client, url: String, b: &Value) -> (StatusCode, Value) {
    let r = c.post(url).json(b).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn today_count(t: &TestApp, c: &reqwest::Client, cp: i64) -> i64 {
    let list: Value = c.get(t.url("/api/checkpoints")).send().await.unwrap().json().await.unwrap();
    list.as_array().unwrap().iter().find(|x| x["id"] == cp).unwrap()["live"]["today"].as_i64().unwrap()
}

async fn officer_registers_once_even_when_resent(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("checkpoint").await;
    let cp = checkpoint_named(&t, &c, "G319").await;
    let before = today_count(&t, &c, cp).await;
    let total_before = t.app.store.count_screenings().await.unwrap();
    let id = uuid();
    let (s, r) = post(&c, t.url("/api/checkpoints/registrations"), &body(cp, &id)).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["created"], true);
    // The phone resends (the answer was lost): nothing is written twice.
    let (s, r) = post(&c, t.url("/api/checkpoints/registrations"), &body(cp, &id)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["created"], false);
    assert_eq!(t.app.store.count_screenings().await.unwrap(), total_before + 1);
    assert_eq!(today_count(&t, &c, cp).await, before + 1);
    // Shown masked; never the clear number, not in the audit trail either.
    let list: Value =
        c.get(t.url(&format!("/api/checkpoints/{cp}/screenings"))).send().await.unwrap().json().await.unwrap();
    let row = list.as_array().unwrap().iter().find(|x| x["id"] == id.as_str()).unwrap();
    assert_eq!(row["doc_masked"], "110***********002X");
    assert_eq!(row["phone_masked"], "139****1111");
    assert_eq!(row["name_masked"], "林**");
    assert!(!list.to_string().contains(ID_A) && !list.to_string().contains("13900001111"));
    let (audit, _) = t.app.store.audit_records(Some("checkpoint"), Some("checkpoint"), 50, 0).await.unwrap();
    let mine: Vec<_> = audit.iter().filter(|a| a.target.contains(&id)).collect();
    assert_eq!(mine.len(), 1, "one audit record for one stored registration");
    assert_eq!(mine[0].action, "测温登记");
    assert!(audit
        .iter()
        .all(|a| !a.target.contains(ID_A) && !a.detail.contains(ID_A) && !a.detail.contains("1390000")));
    // A passenger is linked to the driver's record.
    let p = with(with(body(cp, &uuid()), "driver_id", json!(id)), "doc_number", json!(ID_B));
    let (s, r) = post(&c, t.url("/api/checkpoints/registrations"), &p).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let list: Value =
        c.get(t.url(&format!("/api/checkpoints/{cp}/screenings"))).send().await.unwrap().json().await.unwrap();
    assert!(list.as_array().unwrap().iter().any(|x| x["driver_id"] == id.as_str()));
    assert_eq!(t.app.store.verify_audit().await.unwrap().1, None, "audit chain intact after batched appends");
}

async fn bad_input_names_each_field_and_stores_nothing(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("checkpoint").await;
    let cp = checkpoint_named(&t, &c, "G319").await;
    let total = t.app.store.count_screenings().await.unwrap();
    let url = t.url("/api/checkpoints/registrations");
    for (field, value, expect) in [
        ("temp", json!("3.7"), "体温"),
        ("temp", json!("373"), "体温"),
        ("temp", json!("abc"), "体温"),
        ("doc_number", json!("110105194912310021"), "证件号码"),
        ("phone", json!("12345"), "手机号"),
        ("origin", json!(""), "出发地"),
        ("decision", json!("放走"), "处置结果"),
        ("reason", json!(""), "事由"),
        ("id", json!("not-a-uuid"), "记录编号"),
        ("plate", json!("粤B<script>"), "车牌号"),
        ("vehicle_type", json!("walk"), "车辆类型"),
        ("checkpoint_id", json!("x"), "卡点"),
    ] {
        let (s, r) = post(&c, url.clone(), &with(body(cp, &uuid()), field, value.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value}: {r}");
        let fields: Vec<&str> = r["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec![expect], "{field}={value}: {r}");
        assert!(r["message"].as_str().unwrap().contains(expect), "{r}");
    }
    // Several bad fields: each gets its own message.
    let many = with(with(body(cp, &uuid()), "temp", json!("373")), "phone", json!("1"));
    let (s, r) = post(&c, url.clone(), &many).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["errors"].as_array().unwrap().len(), 2, "{r}");
    // Not JSON, wrong types: 400 in Chinese, never 500.
    let r = c.post(url.clone()).header("content-type", "application/json").body("{").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (s, _) = post(&c, url.clone(), &json!({"checkpoint_id": [1]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(t.app.store.count_screenings().await.unwrap(), total, "nothing partially saved");
    // An unusual plate is kept, flagged, not refused.
    let id = uuid();
    let (s, r) = post(&c, url, &with(body(cp, &id), "plate", json!("京AI1234"))).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let row: Value =
        c.get(t.url(&format!("/api/checkpoints/{cp}/screenings"))).send().await.unwrap().json().await.unwrap();
    let row = row.as_array().unwrap().iter().find(|x| x["id"] == id.as_str()).unwrap().clone();
    assert_eq!(row["plate"], "京AI1234");
    assert_eq!(row["plate_warning"], true);
}

async fn fever_is_remeasured_referred_and_followed_up(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("checkpoint").await;
    let cp = checkpoint_named(&t, &c, "G319").await;
    let url = t.url("/api/checkpoints/registrations");
    let hot = with(body(cp, &uuid()), "temp", json!("38.1"));
    let (s, r) = post(&c, url.clone(), &hot).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["errors"][0]["field"], "复测体温", "{r}");
    let hot = with(hot, "temp2", json!("37.9"));
    let (s, r) = post(&c, url.clone(), &hot).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["errors"][0]["field"], "处置结果", "{r}");
    // Re-measured below the line: no fever, let through.
    let (s, r) =
        post(&c, url.clone(), &with(with(body(cp, &uuid()), "temp", json!("37.4")), "temp2", json!("36.9"))).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert!(r["fever_case"].is_null());
    let (s, r) = post(&c, url.clone(), &with(hot, "decision", json!("transfer"))).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let case = r["fever_case"].as_i64().unwrap();
    // Alerts reach the leader and the HQ desk, with no personal data.
    let duty = t.login("duty").await;
    let alerts: Value = duty.get(t.url("/api/checkpoints/alerts")).send().await.unwrap().json().await.unwrap();
    let text = alerts.to_string();
    assert!(text.contains(&format!("#{case}")) && text.contains("37.9"), "{text}");
    assert!(!text.contains("林晓风") && !text.contains(ID_A) && !text.contains("13900001111"), "{text}");
    let detail: Value =
        c.get(t.url(&format!("/api/checkpoints/fever-cases/{case}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(detail["status"], "referred");
    assert_eq!(detail["clinic"], "县人民医院发热门诊");
    let base = t.url(&format!("/api/checkpoints/fever-cases/{case}"));
    let (s, r) = post(&c, format!("{base}/handover"), &json!({"receiver": ""})).await;
    assert_eq!((s, r["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("接收人")));
    let (s, _) = post(&c, format!("{base}/handover"), &json!({"receiver": "王医生"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = post(&c, format!("{base}/handover"), &json!({"receiver": "王医生"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "handed over once");
    let (s, _) = post(&duty, format!("{base}/follow-ups"), &json!({"note": "电话随访：已退热，居家观察"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, r) = post(&duty, format!("{base}/close"), &json!({"outcome": "unknown"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    let (s, _) = post(&duty, format!("{base}/close"), &json!({"outcome": "excluded"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = post(&duty, format!("{base}/follow-ups"), &json!({"note": "再次随访"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let detail: Value =
        c.get(t.url(&format!("/api/checkpoints/fever-cases/{case}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(detail["status"], "closed");
    assert_eq!(detail["outcome"], "excluded");
    assert_eq!(detail["receiver"], "王医生");
    assert_eq!(detail["follow_ups"].as_array().unwrap().len(), 1);
    // The demo's open case is there too.
    let open: Value =
        duty.get(t.url("/api/checkpoints/fever-cases?open=true")).send().await.unwrap().json().await.unwrap();
    assert_eq!(open.as_array().unwrap().len(), 1, "{open}");
}

async fn self_registration_gives_a_pass_the_officer_finishes(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("checkpoint").await;
    let cp = checkpoint_named(&t, &c, "G319").await;
    let list: Value = c.get(t.url("/api/checkpoints")).send().await.unwrap().json().await.unwrap();
    let code =
        list.as_array().unwrap().iter().find(|x| x["id"] == cp).unwrap()["public_code"].as_str().unwrap().to_string();
    let public = t.client();
    let page = public.get(t.url(&format!("/p/{code}"))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("个人信息收集告知") && html.contains("保存期限") && html.contains("G319"), "{html}");
    let total = t.app.store.count_screenings().await.unwrap();
    let form = [
        ("name", "林晓风"),
        ("doc_type", "id_card"),
        ("doc_number", ID_A),
        ("phone", "13900001111"),
        ("plate", ""),
        ("vehicle_type", "walk"),
        ("origin", "武汉市"),
        ("destination", "城关镇"),
        ("reason", "return_home"),
        ("health_code", "none"),
        // A traveller cannot finish the record: these are ignored.
        ("temp", "36.5"),
        ("decision", "pass"),
    ];
    let r = public.post(t.url(&format!("/p/{code}"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let html = r.text().await.unwrap();
    let pass = html.split("data-testid=\"pass-code\">").nth(1).unwrap()[..8].to_string();
    assert!(pass.bytes().all(|b| b.is_ascii_digit()), "{pass}");
    assert_eq!(t.app.store.count_screenings().await.unwrap(), total, "a pass is not a finished record");
    // Bad public input: named fields, 422.
    let bad = public.post(t.url(&format!("/p/{code}"))).form(&[("name", ""), ("phone", "1")]).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(html.contains("姓名不能为空") && html.contains("手机号"), "{html}");
    // The officer scans it: masked summary, then temperature and decision.
    let view: Value =
        c.get(t.url(&format!("/api/checkpoints/passes/{pass}"))).send().await.unwrap().json().await.unwrap();
    assert!(view["summary"].as_str().unwrap().contains("110***********002X"), "{view}");
    assert!(!view.to_string().contains(ID_A));
    let fin = json!({"id": uuid(), "checkpoint_id": cp, "pass_code": pass, "temp": "36.4", "decision": "pass"});
    let (s, r) = post(&c, t.url("/api/checkpoints/registrations"), &fin).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rows: Value =
        c.get(t.url(&format!("/api/checkpoints/{cp}/screenings"))).send().await.unwrap().json().await.unwrap();
    let row = rows.as_array().unwrap().iter().find(|x| x["id"] == r["id"]).unwrap().clone();
    assert_eq!(row["mode"], "self_scan");
    assert_eq!(row["origin"], "武汉市");
    // A pass is used once.
    let again = json!({"id": uuid(), "checkpoint_id": cp, "pass_code": pass, "temp": "36.4", "decision": "pass"});
    let (s, r) = post(&c, t.url("/api/checkpoints/registrations"), &again).await;
    assert_eq!(s, StatusCode::CONFLICT, "{r}");
    // Rate limit per address: the public endpoint refuses a flood with 429.
    let mut last = StatusCode::OK;
    for _ in 0..12 {
        last = public.post(t.url(&format!("/p/{code}"))).form(&form).send().await.unwrap().status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

async fn trace_needs_its_permission_and_is_audited(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("checkpoint").await;
    let a = checkpoint_named(&t, &c, "G319").await;
    let b = checkpoint_named(&t, &c, "S12").await;
    for cp in [a, b] {
        let (s, r) = post(&c, t.url("/api/checkpoints/registrations"), &body(cp, &uuid())).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
    }
    let q = json!({"doc_number": ID_A.to_lowercase(), "reason": "密接人员排查"});
    let (s, _) = post(&c, t.url("/api/checkpoints/trace"), &q).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let cmd = t.login("commander").await;
    let (s, r) = post(&cmd, t.url("/api/checkpoints/trace"), &json!({"doc_number": ID_A})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["errors"][0]["field"], "查询事由");
    let (s, r) = post(&cmd, t.url("/api/checkpoints/trace"), &q).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let names: Vec<&str> = r.as_array().unwrap().iter().map(|x| x["checkpoint_name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{r}");
    assert!(names.iter().any(|n| n.contains("G319")) && names.iter().any(|n| n.contains("S12")));
    let (s, r) =
        post(&cmd, t.url("/api/checkpoints/trace"), &json!({"phone": "139-0000-1111", "reason": "密接人员排查"})).await;
    assert_eq!((s, r.as_array().unwrap().len()), (StatusCode::OK, 2));
    let (audit, _) = t.app.store.audit_records(Some("commander"), Some("checkpoint"), 10, 0).await.unwrap();
    let traces: Vec<_> = audit.iter().filter(|a| a.action == "轨迹追溯查询").collect();
    assert_eq!(traces.len(), 2);
    assert!(traces[0].detail.contains("密接人员排查") && traces[0].detail.contains("命中 2 条"));
    assert!(traces
        .iter()
        .all(|a| !a.detail.contains(ID_A) && !a.target.contains(ID_A) && !a.detail.contains("13900001111")));
}

async fn officers_register_only_within_their_scope(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("checkpoint").await;
    let station = checkpoint_named(&t, &c, "高铁站").await;
    let (s, r) = post(&c, t.url("/api/checkpoints/registrations"), &body(station, &uuid())).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{r}");
    // Only the commander creates checkpoints; bad input is named.
    let (s, _) = post(&c, t.url("/api/checkpoints"), &json!({"name": "新卡点"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let cmd = t.login("commander").await;
    let (s, r) = post(&cmd, t.url("/api/checkpoints"), &json!({"name": "X", "kind": "机场"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = r["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["卡点名称", "卡点类型", "位置", "责任单位"], "{r}");
    let units: Value = cmd.get(t.url("/api/units")).send().await.unwrap().json().await.unwrap();
    let unit = units.as_array().unwrap().iter().find(|u| u["code"] == "D07-1").unwrap()["id"].as_i64().unwrap();
    let new = json!({"name": "G105 南入境卡点", "kind": "entry", "location": "G105 南", "police_types": "交警、巡特警", "unit_id": unit, "fever_clinic": "县人民医院发热门诊"});
    let (s, r) = post(&cmd, t.url("/api/checkpoints"), &new).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["police_types"], json!(["traffic", "patrol"]));
    let new_id = r["id"].as_i64().unwrap();
    let (s, r) = post(&cmd, t.url("/api/checkpoints"), &new).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert!(r["message"].as_str().unwrap().contains("卡点名称"), "{r}");
    // The officer of that unit may register there at once.
    let (s, r) = post(&c, t.url("/api/checkpoints/registrations"), &body(new_id, &uuid())).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
}

async fn pages_posters_and_the_plain_form(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("checkpoint").await;
    let cp = checkpoint_named(&t, &c, "G319").await;
    let page = c.get(t.url(&format!("/checkpoints/entry?checkpoint={cp}"))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("inputmode=\"numeric\"") && html.contains("inputmode=\"decimal\""));
    assert!(html.contains("转运留观") && html.contains("/assets/checkpoint."));
    let sw = c.get(t.url("/checkpoints/sw.js")).send().await.unwrap();
    assert_eq!(sw.status(), StatusCode::OK);
    assert!(sw.headers()["content-type"].to_str().unwrap().contains("javascript"));
    // Without JavaScript the same form posts and saves.
    let total = t.app.store.count_screenings().await.unwrap();
    let cps = cp.to_string();
    let form = [
        ("checkpoint_id", cps.as_str()),
        ("doc_type", "id_card"),
        ("doc_number", ID_B),
        ("name", "周敏"),
        ("origin", "南昌市"),
        ("destination", "城关镇"),
        ("reason", "work"),
        ("temp", "36.8"),
        ("decision", "turn_back"),
    ];
    let r = c.post(t.url("/checkpoints/entry")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(t.app.store.count_screenings().await.unwrap(), total + 1);
    let r = c
        .post(t.url("/checkpoints/entry"))
        .form(&[("checkpoint_id", cps.as_str()), ("temp", "373")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("34.0–42.0"));
    let list = c.get(t.url("/checkpoints")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("G319 青岚东入境卡点") && list.contains("今日登记"));
    let pdf = c.get(t.url(&format!("/checkpoints/{cp}/poster.pdf"))).send().await.unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let pdf = pdf.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-") && crate::pdf::embeds_a_font(&pdf), "a PDF carrying its Chinese font");
    let text = crate::pdf::text(&pdf);
    assert!(text.contains("青岚东入境卡点") && text.contains("/p/"), "the checkpoint and its URL:\n{text}");
    assert_eq!(crate::pdf::images(&pdf), 1, "the QR code");
    let png = c.get(t.url(&format!("/checkpoints/{cp}/poster.png"))).send().await.unwrap().bytes().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let public = t.client().get(t.url("/p/nonexistent")).send().await.unwrap();
    assert_eq!(public.status(), StatusCode::NOT_FOUND);
    let fever = t.login("duty").await.get(t.url("/checkpoints/fever")).send().await.unwrap().text().await.unwrap();
    assert!(fever.contains("已转诊"), "the demo's open fever case is listed");
}

async fn purge_deletes_screening_data_past_retention(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("checkpoint").await;
    let cp = checkpoint_named(&t, &c, "G319").await;
    let old = uuid();
    let (s, _) = post(&c, t.url("/api/checkpoints/registrations"), &body(cp, &old)).await;
    assert_eq!(s, StatusCode::CREATED);
    let total = t.app.store.count_screenings().await.unwrap();
    // Ten days old: past the 7 days asked for below, within the 28-day retention in force, so the
    // server's own purge (at start and hourly, racing with this test) leaves it alone.
    assert!(t.app.retention_days().await.unwrap() > 10, "the demo keeps screening data longer than ten days");
    let ten_days_ago = bastion_core::time::now_ms() - 10 * 86_400_000;
    sqlx::query("UPDATE screenings SET at = $1 WHERE id = $2")
        .bind(ten_days_ago)
        .bind(&old)
        .execute(t.app.store.reader())
        .await
        .unwrap();
    let root = t.app.store.units().await.unwrap()[0].id;
    let ctx = bastion_app::Ctx::cli(root);
    let r = t.app.purge_screenings(&ctx, Some(7)).await.unwrap();
    assert_eq!(r.screenings, 1);
    assert_eq!(t.app.store.count_screenings().await.unwrap(), total - 1);
    assert!(t.app.store.screening(&old).await.is_err());
    let (audit, _) = t.app.store.audit_records(Some("cli"), Some("checkpoint"), 5, 0).await.unwrap();
    assert_eq!(audit[0].action, "清理过期登记数据");
    assert!(audit[0].detail.contains("登记 1 条"));
    assert!(t.app.purge_screenings(&ctx, Some(0)).await.is_err());
    // The server's hourly purge: nothing past retention now, and no record of a run that found nothing.
    let system = bastion_app::Ctx::system(root);
    let now = bastion_core::time::now_ms();
    let r = t.app.purge_expired_screenings(&system, now).await.unwrap();
    assert_eq!((r.screenings, r.fever_cases, r.passes), (0, 0, 0));
    assert!(t.app.store.audit_records(Some("system"), Some("checkpoint"), 5, 0).await.unwrap().0.is_empty());
    // Past the retention period in force, everything but the open fever case's record goes, audited.
    let days = t.app.retention_days().await.unwrap();
    let r = t.app.purge_expired_screenings(&system, now + (days + 1) * 86_400_000).await.unwrap();
    assert_eq!(r.screenings, total - 2, "all but the open fever case's screening");
    assert_eq!(t.app.store.count_screenings().await.unwrap(), 1);
    let (audit, _) = t.app.store.audit_records(Some("system"), Some("checkpoint"), 5, 0).await.unwrap();
    assert_eq!(audit[0].action, "清理过期登记数据");
    assert!(audit[0].detail.contains(&format!("登记 {} 条", total - 2)), "{}", audit[0].detail);
    // Nobody but the super-admin (and the CLI) purges.
    let cmd = t.login("commander").await;
    let (s, _) = post(&cmd, t.url("/api/checkpoints/purge"), &json!({"days": 28})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// Many officers at once, phones resending while the first try is still being written, every
/// fifth traveller with a fever: each traveller is counted once, each fever opens one case, each
/// stored registration has one audit record, and the audit chain stays one unbroken chain.
async fn concurrent_registrations_keep_counts_cases_and_the_chain(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("checkpoint").await;
    let cp = checkpoint_named(&t, &c, "G319").await;
    let before = today_count(&t, &c, cp).await;
    let count = |sql: &'static str| {
        let s = t.app.store.clone();
        async move { sqlx::Row::get::<i64, _>(&sqlx::query(sql).fetch_one(s.reader()).await.unwrap(), "n") }
    };
    const CASES: &str = "SELECT COUNT(*) AS n FROM fever_cases";
    const AUDITED: &str = "SELECT COUNT(*) AS n FROM audit_log WHERE action = '测温登记'";
    let (cases_before, audited_before) = (count(CASES).await, count(AUDITED).await);
    let (officers, each) = (16, 20);
    let mut tasks = tokio::task::JoinSet::new();
    for o in 0..officers {
        let (c, url) = (c.clone(), t.url("/api/checkpoints/registrations"));
        tasks.spawn(async move {
            let mut created = 0;
            for k in 0..each {
                let id = uuid();
                let b = if (o * each + k) % 5 == 0 {
                    with(
                        with(with(body(cp, &id), "temp", json!("38.1")), "temp2", json!("37.9")),
                        "decision",
                        json!("transfer"),
                    )
                } else {
                    body(cp, &id)
                };
                // The first try and a resend race each other.
                let (a, r) = tokio::join!(post(&c, url.clone(), &b), post(&c, url.clone(), &b));
                let codes = [a.0, r.0];
                assert!(codes.contains(&StatusCode::CREATED), "one of the two stores it: {codes:?} {} {}", a.1, r.1);
                assert!(codes.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::OK), "{codes:?}");
                created += [a.1, r.1].iter().filter(|v| v["created"] == true).count();
            }
            created
        });
    }
    let created: usize = tasks.join_all().await.into_iter().sum();
    let n = officers * each;
    assert_eq!(created, n, "each traveller is created exactly once, whichever try wins");
    assert_eq!(today_count(&t, &c, cp).await, before + n as i64);
    assert_eq!(count(CASES).await, cases_before + n as i64 / 5, "one fever case per feverish traveller");
    assert_eq!(count(AUDITED).await, audited_before + n as i64, "one audit record per stored registration");
    assert_eq!(t.app.store.verify_audit().await.unwrap().1, None, "one unbroken audit chain");
}

/// Run the real binary, hammer it with registrations, kill -9, restart: every acknowledged
/// registration is stored exactly once.
async fn acknowledged_registrations_survive_kill_9(backend: Backend) {
    let db = TestDb::new(backend).await;
    let start = |demo: bool| {
        let mut c = bastion_command(env!("CARGO_BIN_EXE_bastion"), &db);
        c.args(["serve", "--listen", "127.0.0.1:0"]);
        if demo {
            c.arg("--demo");
        }
        ServedBinary::start(c, Duration::from_secs(120))
    };
    let mut served = start(true);
    let addr = served.addr.clone();
    let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let r = c
        .post(format!("{addr}/api/login"))
        .json(&json!({"username": "checkpoint", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let list: Value = c.get(format!("{addr}/api/checkpoints")).send().await.unwrap().json().await.unwrap();
    let cp = list.as_array().unwrap().iter().find(|x| x["name"].as_str().unwrap().contains("G319")).unwrap()["id"]
        .as_i64()
        .unwrap();
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (c, addr, acked) = (c.clone(), addr.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let id = uuid();
                match c.post(format!("{addr}/api/checkpoints/registrations")).json(&body(cp, &id)).send().await {
                    Ok(r) if r.status() == StatusCode::CREATED => acked.lock().unwrap().push(id),
                    Ok(r) => panic!("unexpected {}", r.status()),
                    Err(_) => break, // the server is gone
                }
            }
        }));
    }
    // Let load build up, then pull the plug.
    eventually("300 acknowledged registrations", Duration::from_secs(120), || async {
        (acked.lock().unwrap().len() >= 300).then_some(())
    })
    .await;
    served.kill(); // SIGKILL
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 300);
    let restarted = start(false);
    let store = bastion_store::Store::open(&db.data_dir(), db.database.as_deref(), bastion_store::Crypto::generate())
        .await
        .unwrap();
    let mut missing = 0;
    for chunk in acked.chunks(200) {
        let list: Vec<String> = chunk.iter().map(|i| format!("'{i}'")).collect();
        let n: i64 = sqlx::Row::get(
            &sqlx::query(&format!("SELECT COUNT(*) AS n FROM screenings WHERE id IN ({})", list.join(",")))
                .fetch_one(store.reader())
                .await
                .unwrap(),
            "n",
        );
        missing += chunk.len() as i64 - n;
    }
    assert_eq!(missing, 0, "every acknowledged registration is stored ({} acknowledged)", acked.len());
    drop(restarted);
}

/// The commander moves the fever line from the fever page; registrations follow it at once;
/// a typo is refused with the field and the rule; nobody else sees the form or may post it.
async fn fever_line_is_set_from_the_fever_page(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let boss = t.login("commander").await;
    let page = boss.get(t.url("/checkpoints/fever")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("≥37.3 ℃") && page.contains("action=\"/checkpoints/fever/rule\""), "{page}");
    for (bad, rule) in [("373", "34.0–42.0"), ("36.5", "发热阈值须在 37.0–38.5 ℃ 之间"), ("", "发热阈值不能为空")]
    {
        let r = boss.post(t.url("/checkpoints/fever/rule")).form(&[("threshold", bad)]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(r.text().await.unwrap().contains(rule), "{bad}: names {rule}");
    }
    let r = boss.post(t.url("/checkpoints/fever/rule")).form(&[("threshold", "37.5")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = boss.get(t.url("/checkpoints/fever")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("&#62;37.5 ℃"), "exclusive now (the box was not ticked)");
    let (records, _) = t.app.store.audit_records(Some("commander"), Some("checkpoint"), 5, 0).await.unwrap();
    assert_eq!((records[0].action.as_str(), records[0].detail.as_str()), ("设置发热阈值", ">37.5"));
    // Registrations follow the new line: 37.5 passes without a re-measure, 37.6 asks for one.
    let c = t.login("checkpoint").await;
    let cp = checkpoint_named(&t, &c, "G319").await;
    let url = t.url("/api/checkpoints/registrations");
    let (s, r) = post(&c, url.clone(), &with(body(cp, &uuid()), "temp", json!("37.5"))).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, r) = post(&c, url.clone(), &with(body(cp, &uuid()), "temp", json!("37.6"))).await;
    assert_eq!((s, r["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("复测体温")));
    // The officer sees the line but not the form, and may not post it.
    let page = c.get(t.url("/checkpoints/fever")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("&#62;37.5 ℃") && !html.contains("/checkpoints/fever/rule"));
    let r = c.post(t.url("/checkpoints/fever/rule")).form(&[("threshold", "38.0")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(t.app.fever_rule().await.unwrap().label(), ">37.5");
}

/// A fever case's alert reaches the chat-bot groups through the delivery queue (a real local
/// HTTP receiver standing in for a WeCom group bot): the checkpoint, the reading and the case
/// number, never the traveller's name, ID or phone; the HQ desk sees the delivery on the fever page.
async fn fever_alert_reaches_the_bot_groups_without_personal_data(backend: Backend) {
    use axum::extract::{Query, State};
    use axum::routing::post as route_post;
    type Bodies = Arc<Mutex<Vec<Value>>>;
    let bodies: Bodies = Arc::default();
    let bot = axum::Router::new()
        .route(
            "/wecom",
            route_post(
                |State(b): State<Bodies>,
                 Query(q): Query<std::collections::HashMap<String, String>>,
                 axum::Json(v): axum::Json<Value>| async move {
                    if q.get("key").map(String::as_str) != Some("fever-key") {
                        return axum::Json(json!({"errcode": 93000, "errmsg": "invalid webhook url"}));
                    }
                    b.lock().unwrap().push(v);
                    axum::Json(json!({"errcode": 0, "errmsg": "ok"}))
                },
            ),
        )
        .with_state(bodies.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bot_url = format!("http://{}/wecom?key=fever-key", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, bot).await;
    });
    let t = spawn_app(backend, true).await;
    let boss = t.login("commander").await;
    let ch = json!({"kind": "wecom", "name": "指挥部值班群", "url": bot_url, "min_interval_ms": "0"});
    let r = boss.post(t.url("/api/notify/channels")).json(&ch).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let c = t.login("checkpoint").await;
    let cp = checkpoint_named(&t, &c, "G319").await;
    let hot = with(
        with(with(body(cp, &uuid()), "temp", json!("38.4")), "temp2", json!("38.2")),
        "decision",
        json!("transfer"),
    );
    let (s, r) = post(&c, t.url("/api/checkpoints/registrations"), &hot).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let case = r["fever_case"].as_i64().unwrap();
    // The queue sends it (the server's own sender, or this poll, whichever comes first).
    // Other features may tell the same group of other things meanwhile (a late sign-in): the fever alert is the one
    // that says so.
    let fever = || {
        bodies
            .lock()
            .unwrap()
            .iter()
            .find(|b| b["text"]["content"].as_str().unwrap_or_default().contains("发热预警"))
            .cloned()
    };
    eventually("the alert reaching the bot", Duration::from_secs(30), || async {
        t.app.send_due(bastion_core::time::now_ms()).await.unwrap();
        fever().map(|_| ())
    })
    .await;
    let sent = fever().unwrap();
    let text = sent["text"]["content"].as_str().unwrap_or_default().to_string();
    assert!(text.contains("发热预警") && text.contains("G319") && text.contains("38.2"), "{sent}");
    assert!(text.contains(&format!("#{case}")), "{sent}");
    assert!(!text.contains("林晓风") && !text.contains(ID_A) && !text.contains("13900001111"), "{sent}");
    // The HQ desk sees the delivery on the fever page; the officer (one checkpoint) does not.
    let page = boss.get(t.url("/checkpoints/fever")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("data-testid=\"bot-alerts\"") && page.contains("指挥部值班群"), "{page}");
    let page = c.get(t.url("/checkpoints/fever")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("bot-alerts"));
    // The system administrator, who sees no recall order, reaches the channels from the menu;
    // the page names the kind and, in its log of every feature, where the message came from.
    let admin = t.login("sysadmin").await;
    let home = admin.get(t.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("href=\"/notify/channels\""), "the menu leads to the channels");
    let page = admin.get(t.url("/notify/channels")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("企业微信群机器人") && !page.contains("<td>wecom</td>"), "the kind by name");
    assert!(page.contains("卡点发热预警") && page.contains("已送达群机器人"), "the delivery with its source");
    assert!(!c.get(t.url("/")).send().await.unwrap().text().await.unwrap().contains("/notify/channels"));
    // The channels page's earlier address still leads there.
    let r = admin.get(t.url("/recall/channels")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(r.headers()["location"], "/notify/channels");
    // A channel switched off and on again through the API; an unknown channel is 404.
    let listed: Value = admin.get(t.url("/api/notify/channels")).send().await.unwrap().json().await.unwrap();
    let ch = listed[0]["id"].as_i64().unwrap();
    let switch =
        |on: bool| admin.put(t.url(&format!("/api/notify/channels/{ch}/enabled"))).json(&json!({"enabled": on})).send();
    assert_eq!(switch(false).await.unwrap().status(), StatusCode::OK);
    let off = admin.get(t.url("/notify/channels")).send().await.unwrap().text().await.unwrap();
    assert!(off.contains("已停用"), "shown off");
    assert_eq!(switch(true).await.unwrap().status(), StatusCode::OK);
    let r =
        admin.put(t.url("/api/notify/channels/999999/enabled")).json(&json!({"enabled": true})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// A traveller's pass is usable only at the checkpoint it was issued for: an officer of another
/// unit cannot look it up or use it, and at another checkpoint it says where it belongs.
async fn a_pass_is_usable_only_at_its_checkpoint(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("checkpoint").await;
    let g319 = checkpoint_named(&t, &c, "G319").await;
    let station = checkpoint_named(&t, &c, "高铁站").await;
    let cmd = t.login("commander").await;
    let units: Value = cmd.get(t.url("/api/units")).send().await.unwrap().json().await.unwrap();
    let unit = units.as_array().unwrap().iter().find(|u| u["code"] == "D07-1").unwrap()["id"].as_i64().unwrap();
    let new = json!({"name": "G105 南入境卡点", "kind": "entry", "location": "G105 南", "police_types": "交警", "unit_id": unit});
    let (s, r) = post(&cmd, t.url("/api/checkpoints"), &new).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let g105 = r["id"].as_i64().unwrap();
    let list: Value = c.get(t.url("/api/checkpoints")).send().await.unwrap().json().await.unwrap();
    let public_code = |id: i64| {
        list.as_array().unwrap().iter().find(|x| x["id"] == id).unwrap()["public_code"].as_str().unwrap().to_string()
    };
    let issue = |code: String, doc: &'static str| {
        let public = t.client();
        let url = t.url(&format!("/p/{code}"));
        async move {
            let form = [
                ("name", "林晓风"),
                ("doc_type", "id_card"),
                ("doc_number", doc),
                ("phone", "13900001111"),
                ("vehicle_type", "walk"),
                ("origin", "武汉市"),
                ("destination", "城关镇"),
                ("reason", "return_home"),
                ("health_code", "none"),
            ];
            let r = public.post(url).form(&form).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::CREATED);
            let html = r.text().await.unwrap();
            html.split("data-testid=\"pass-code\">").nth(1).unwrap()[..8].to_string()
        }
    };
    // Issued at the railway station, outside the officer's scope: unknown to this officer.
    let foreign = issue(public_code(station), ID_A).await;
    let r = c.get(t.url(&format!("/api/checkpoints/passes/{foreign}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body = r.text().await.unwrap();
    assert!(!body.contains("110***"), "nothing of the holder: {body}");
    let fin = |cp: i64, pass: &str| json!({"id": uuid(), "checkpoint_id": cp, "pass_code": pass, "temp": "36.4", "decision": "pass"});
    let (s, r) = post(&c, t.url("/api/checkpoints/registrations"), &fin(g319, &foreign)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{r}");
    // Issued at G105 (the officer's unit): not usable at G319, usable at G105.
    let own = issue(public_code(g105), ID_B).await;
    let r = c.get(t.url(&format!("/api/checkpoints/passes/{own}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (s, r) = post(&c, t.url("/api/checkpoints/registrations"), &fin(g319, &own)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(r["errors"][0]["field"], "通行码", "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("签发"), "{r}");
    let (s, r) = post(&c, t.url("/api/checkpoints/registrations"), &fin(g105, &own)).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
}

both_backends!(
    a_pass_is_usable_only_at_its_checkpoint,
    concurrent_registrations_keep_counts_cases_and_the_chain,
    fever_alert_reaches_the_bot_groups_without_personal_data,
    fever_line_is_set_from_the_fever_page,
    officer_registers_once_even_when_resent,
    bad_input_names_each_field_and_stores_nothing,
    fever_is_remeasured_referred_and_followed_up,
    self_registration_gives_a_pass_the_officer_finishes,
    trace_needs_its_permission_and_is_audited,
    officers_register_only_within_their_scope,
    pages_posters_and_the_plain_form,
    purge_deletes_screening_data_past_retention,
    acknowledged_registrations_survive_kill_9,
);
