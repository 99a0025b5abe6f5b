//! Protective supplies over real HTTP on both backends: stock is the ledger, a withdrawal beyond
//! the stock is refused (also under concurrent issues, on two nodes on PostgreSQL), an issue to a
//! shift is all or nothing (and signed by its issuer on the same phone), expired batches and second
//! issues need a reason, scope, and bad input answered field by field. Replenishment (the forecast,
//! shortage alerts, requests and imported receipts) is in `supplies_replenish`.

use bastion_testkit::{both_backends, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Row;

/// A 16×16 PNG with a few dark strokes: a signature.
pub(super) const SIGNED: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAS0lEQVR4nKWTiQkAMAgDs//SdoD6nEYQQomHFpWk0D3iE5fiC6T0Esjo6Qy4y8y4/qco9BqCZnayBWcat07ecDGGWItkrbJ1TNY5PxIBLdPOsbqpAAAAAElFTkSuQmCC";
/// The same size, all transparent: an untouched canvas.
const BLANK: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAEklEQVR4nGNgGAWjYBSMAggAAAQQAAFVN1rQAAAAAElFTkSuQmCC";

pub(super) async fn post(c: &reqwest::Client, url: String, b: &Value) -> (StatusCode, Value) {
    let r = c.post(url).json(b).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

pub(super) async fn get(c: &reqwest::Client, url: String) -> (StatusCode, Value) {
    let r = c.get(url).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

pub(super) async fn store_named(t: &TestApp, c: &reqwest::Client, name: &str) -> i64 {
    let (_, list) = get(c, t.url("/api/supplies/stores")).await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str().unwrap().contains(name))
        .unwrap_or_else(|| panic!("no store {name}: {list}"))["id"]
        .as_i64()
        .unwrap()
}

pub(super) async fn item_coded(t: &TestApp, c: &reqwest::Client, code: &str) -> i64 {
    let (_, list) = get(c, t.url("/api/supplies/items")).await;
    list.as_array().unwrap().iter().find(|s| s["code"] == code).unwrap_or_else(|| panic!("no item {code}"))["id"]
        .as_i64()
        .unwrap()
}

/// What the stock page's API says a store holds of an item (every batch).
pub(super) async fn qty(t: &TestApp, c: &reqwest::Client, store: i64, code: &str) -> i64 {
    let (s, v) = get(c, t.url("/api/supplies/stock")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["store_id"] == store && l["item_code"] == code)
        .map(|l| l["quantity"].as_i64().unwrap())
        .sum()
}

/// Every store's balances agree with the sum of its ledger, and none is negative.
pub(super) async fn ledger_agrees(t: &TestApp) {
    let store = &t.app.store;
    for s in store.supply_stores().await.unwrap() {
        let balances: Vec<(i64, String, i64)> = store
            .supply_balances(s.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|b| b.quantity != 0)
            .map(|b| (b.item_id.0, b.batch, b.quantity))
            .collect();
        assert!(balances.iter().all(|b| b.2 > 0), "{}: {balances:?}", s.name);
        let ledger: Vec<(i64, String, i64)> =
            store.supply_ledger_stock(s.id).await.unwrap().into_iter().map(|(i, b, n)| (i.0, b, n)).collect();
        assert_eq!(balances, ledger, "stock of {} is the sum of its movements", s.name);
    }
}

pub(super) async fn audit_count(t: &TestApp, action: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE module = 'supplies' AND action = $1")
        .bind(action)
        .fetch_one(t.app.store.reader())
        .await
        .unwrap()
        .get::<i64, _>("n")
}

pub(super) async fn issue_count(t: &TestApp) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM supply_issues").fetch_one(t.app.store.reader()).await.unwrap().get("n")
}

/// The people of a post's issue desk.
pub(super) async fn post_people(t: &TestApp, c: &reqwest::Client, store: i64) -> Vec<i64> {
    let (s, v) = get(c, t.url(&format!("/api/supplies/posts/{store}"))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["people"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

pub(super) fn messages(v: &Value) -> String {
    v["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| format!("{}|{}", e["field"], e["message"])).collect::<Vec<_>>().join("\n"))
        .unwrap_or_default()
}

async fn ledger_is_the_stock(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("supplies").await;
    let wh = store_named(&t, &c, "局装备仓库").await;
    let post = store_named(&t, &c, "G319").await;
    let n95 = item_coded(&t, &c, "N95").await;
    let wh0 = qty(&t, &c, wh, "N95").await;
    let post0 = qty(&t, &c, post, "N95").await;

    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/receipts",
        json!({"store_id": wh, "item_id": n95, "quantity": 100,
        "batch": "T-1", "expires_on": "2099-12-31", "source": "donation", "donor": "某某爱心企业"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/movements",
        json!({"kind": "transfer", "from_store_id": wh,
        "to_store_id": post, "item_id": n95, "quantity": 30, "batch": "T-1"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/movements",
        json!({"kind": "disposal", "from_store_id": post,
        "item_id": n95, "quantity": 5, "batch": "T-1", "reason": "受潮破损"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(qty(&t, &c, wh, "N95").await, wh0 + 70);
    assert_eq!(qty(&t, &c, post, "N95").await, post0 + 25);

    // Stocktake: 3 fewer counted than the ledger holds of batch T-1; the difference is posted.
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/stocktakes",
        json!({"store_id": post,
        "lines": [{"item_id": n95, "batch": "T-1", "counted": 22}]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a difference needs its reason: {v}");
    assert!(messages(&v).contains("原因"), "{v}");
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/stocktakes",
        json!({"store_id": post, "reason": "盘亏，待查",
        "lines": [{"item_id": n95, "batch": "T-1", "counted": 22}]}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v[0]["ledger"], 25);
    assert_eq!(v[0]["variance"], -3);
    assert_eq!(qty(&t, &c, post, "N95").await, post0 + 22);
    let (_, moves) = get(&c, t.url(&format!("/api/supplies/movements?store_id={post}"))).await;
    assert!(moves
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["kind"] == "adjust" && m["quantity"] == 3 && m["reason"] == "盘亏，待查"));

    // A return from a person adds to the post's stock.
    let people = post_people(&t, &c, post).await;
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/movements",
        json!({"kind": "return", "to_store_id": post,
        "person_id": people[0], "item_id": n95, "quantity": 2, "batch": "T-1"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(qty(&t, &c, post, "N95").await, post0 + 24);

    ledger_agrees(&t).await;
    assert_eq!(audit_count(&t, "物资入库").await, 1);
    assert_eq!(audit_count(&t, "物资盘点").await, 1);
    assert_eq!(audit_count(&t, "物资报废").await, 1);
    let (_, totals) = get(&c, t.url("/api/supplies/stock")).await;
    assert_eq!(totals["bureau_wide"], true);
}

pub(super) async fn post_json(c: &reqwest::Client, t: &TestApp, path: &str, b: Value) -> (StatusCode, Value) {
    post(c, t.url(path), &b).await
}

async fn below_zero_is_refused(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("supplies").await;
    let post = store_named(&t, &c, "G319").await;
    let wh = store_named(&t, &c, "局装备仓库").await;
    let n95 = item_coded(&t, &c, "N95").await;
    let have = qty(&t, &c, post, "N95").await;
    assert!(have > 0);
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/movements",
        json!({"kind": "transfer", "from_store_id": post,
        "to_store_id": wh, "item_id": n95, "quantity": have + 1}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let m = v["message"].as_str().unwrap();
    assert!(m.starts_with("数量：库存不足"), "{m}");
    assert!(
        m.contains("G319") && m.contains("N95口罩") && m.contains(&format!("现有 {have}，本次需要 {}", have + 1)),
        "{m}"
    );
    assert_eq!(v["errors"][0]["field"], "数量");
    assert_eq!(qty(&t, &c, post, "N95").await, have, "nothing moved");
    // Exactly the stock is fine, and then the store is empty of it, never negative.
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/movements",
        json!({"kind": "transfer", "from_store_id": post,
        "to_store_id": wh, "item_id": n95, "quantity": have}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(qty(&t, &c, post, "N95").await, 0);
    let (s, _) = post_json(
        &c,
        &t,
        "/api/supplies/movements",
        json!({"kind": "disposal", "from_store_id": post,
        "item_id": n95, "quantity": 1, "reason": "破损"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    ledger_agrees(&t).await;
}

async fn issue_to_a_shift_is_all_or_nothing(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("checkpoint").await;
    let post = store_named(&t, &c, "G319").await;
    let people = post_people(&t, &c, post).await;
    let suits = qty(&t, &c, post, "SUIT").await;
    let gloves = qty(&t, &c, post, "GLOVE").await;
    let shift = |who: Vec<Value>| json!({"store_id": post, "shift_date": "2026-02-02", "shift": "白班", "people": who, "issuer_signature": SIGNED});
    let signed = |p: i64| json!({"person_id": p, "signature": SIGNED});

    // The third person's canvas is blank: nobody is issued anything.
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/issues",
        shift(vec![signed(people[0]), signed(people[1]), json!({"person_id": people[2], "signature": BLANK})]),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(messages(&v).contains("第3位签名") && messages(&v).contains("空白"), "{v}");
    // More people than the suits cover: refused as a whole, naming the shortage.
    let many: Vec<Value> = people.iter().take((suits + 1) as usize).map(|p| signed(*p)).collect();
    let (s, v) = post_json(&c, &t, "/api/supplies/issues", shift(many)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["message"].as_str().unwrap().contains(&format!("医用防护服 现有 {suits}，本次需要 {}", suits + 1)),
        "{v}"
    );
    assert_eq!(issue_count(&t).await, 0, "nothing half-written");
    assert_eq!(qty(&t, &c, post, "SUIT").await, suits);
    assert_eq!(qty(&t, &c, post, "GLOVE").await, gloves);

    // Two sign, the leader confirms the third with a reason: the standard kit for three.
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/issues",
        shift(vec![
            signed(people[0]),
            signed(people[1]),
            json!({"person_id": people[2], "leader_reason": "手部受伤，无法签字"}),
        ]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["issues"].as_array().unwrap().len(), 3);
    assert_eq!(qty(&t, &c, post, "SUIT").await, suits - 3);
    assert_eq!(qty(&t, &c, post, "GLOVE").await, gloves - 12, "4 pairs each");
    let (_, hist) = get(&c, t.url(&format!("/api/supplies/issues?person_id={}", people[2]))).await;
    let h = &hist.as_array().unwrap()[0];
    assert_eq!(h["signed"], false);
    assert_eq!(h["leader_reason"], "手部受伤，无法签字");
    assert!(h["lines"].as_str().unwrap().contains("医用防护服 ×1套"), "{h}");
    // The signature is kept and served as the picture it was.
    let first = hist.as_array().unwrap()[0]["id"].as_i64().unwrap();
    let r = c.get(t.url(&format!("/api/supplies/issues/{}/signature", first - 2))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(audit_count(&t, "签领发放").await, 1);
    ledger_agrees(&t).await;
    // The printable form of that shift: three rows, the two drawn signatures embedded, the
    // leader's reason written out.
    let r = c.get(t.url(&format!("/supplies/posts/{post}/form?date=2026-02-02&shift=白班"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-") && crate::pdf::embeds_a_font(&pdf), "a PDF carrying its Chinese font");
    assert_eq!(crate::pdf::images(&pdf), 3, "the two drawn signatures and the issuer's are on the form");
    // Lines wrap inside table cells: read the text as one run.
    let text = crate::pdf::text(&pdf).replace('\n', "");
    assert!(text.contains("防护物资签领单") && text.contains("班次 2026-02-02 白班"), "{text}");
    assert!(text.contains("手部受伤，无法签字"), "the leader's reason is on the form:\n{text}");
    let issuer = h["actor"].as_str().unwrap();
    assert!(text.contains(&format!("发放人（签字）{issuer}")), "the issuer's line names who drew on it:\n{text}");
    assert!(text.contains("带班负责人（签字）"), "{text}");
    let r = c.get(t.url(&format!("/supplies/posts/{post}/form?date=昨天&shift=白班"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let off = t.login("officer").await;
    let r = off.get(t.url(&format!("/supplies/posts/{post}/form"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn submission_count(t: &TestApp) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM supply_issue_submissions")
        .fetch_one(t.app.store.reader())
        .await
        .unwrap()
        .get("n")
}

/// The issuer signs on the same phone: required for a whole shift, optional for one person, and
/// printed on the issuer's line of the shift's form.
async fn the_issuer_signs_a_shift_on_the_same_phone(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("checkpoint").await;
    let post = store_named(&t, &c, "G319").await;
    let people = post_people(&t, &c, post).await;
    let suits = qty(&t, &c, post, "SUIT").await;
    let two = |issuer: &str| {
        json!({"store_id": post, "shift_date": "2026-02-08", "shift": "夜班", "issuer_signature": issuer,
            "people": [{"person_id": people[0], "signature": SIGNED}, {"person_id": people[1], "signature": SIGNED}]})
    };
    // A shift without the issuer's signature, with one that is no picture, with a blank canvas:
    // each refused naming the field, nothing written.
    for (issuer, says) in [
        ("", "发放人签名不能为空"),
        ("data:text/plain;base64,5L2g5aW9", "发放人签名须为 PNG 或 JPEG"),
        ("data:image/png;base64,PHN2Zy8+", "发放人签名须为 PNG 或 JPEG"),
        (BLANK, "发放人签名为空白"),
    ] {
        let (s, v) = post_json(&c, &t, "/api/supplies/issues", two(issuer)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{issuer}: {v}");
        assert!(messages(&v).contains("\"发放人签名\"") && messages(&v).contains(says), "{issuer}: {v}");
    }
    assert_eq!((issue_count(&t).await, submission_count(&t).await), (0, 0), "nothing half-written");
    assert_eq!(audit_count(&t, "签领发放").await, 0);
    assert_eq!(qty(&t, &c, post, "SUIT").await, suits);

    // Signed: both issued, the audit says the issuer signed, the form's issuer line carries the picture.
    let (s, v) = post_json(&c, &t, "/api/supplies/issues", two(SIGNED)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(qty(&t, &c, post, "SUIT").await, suits - 2);
    let detail: String = sqlx::query("SELECT detail FROM audit_log WHERE module = 'supplies' AND action = '签领发放'")
        .fetch_one(t.app.store.reader())
        .await
        .unwrap()
        .get("detail");
    assert!(detail.contains("发放人已手写签名"), "{detail}");
    let form = |shift: &str| {
        let (c, url) = (c.clone(), t.url(&format!("/supplies/posts/{post}/form?date=2026-02-08&shift={shift}")));
        async move {
            let r = c.get(url).send().await.unwrap();
            let status = r.status();
            let body = r.bytes().await.unwrap().to_vec();
            assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
            body
        }
    };
    let pdf = form("夜班").await;
    let text = crate::pdf::text(&pdf).replace('\n', "");
    assert_eq!(crate::pdf::images(&pdf), 3, "two recipients and the issuer");
    let (_, hist) = get(&c, t.url(&format!("/api/supplies/issues?person_id={}", people[0]))).await;
    let issuer = hist[0]["actor"].as_str().unwrap().to_string();
    assert!(text.contains(&format!("发放人（签字）{issuer}")), "{text}");

    // One person without the issuer's signature is fine; that form keeps a blank issuer line.
    let one = json!({"store_id": post, "shift_date": "2026-02-08", "shift": "白班",
        "people": [{"person_id": people[2], "signature": SIGNED}]});
    let (s, v) = post_json(&c, &t, "/api/supplies/issues", one).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let pdf = form("白班").await;
    assert_eq!(crate::pdf::images(&pdf), 1, "only the recipient drew");
    let text = crate::pdf::text(&pdf).replace('\n', "");
    assert!(text.contains("发放人（签字）") && !text.contains(&format!("发放人（签字）{issuer}")), "{text}");
    ledger_agrees(&t).await;
}

async fn expired_batches_and_second_issues_need_a_reason(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let s_c = t.login("supplies").await;
    let post = store_named(&t, &s_c, "G319").await;
    let (s, v) = post_json(
        &s_c,
        &t,
        "/api/supplies/items",
        json!({"code": "WIPE", "name": "消毒湿巾", "issue_unit": "包",
        "per_shift": "1", "shelf_life_days": "365", "kit_per_shift": "1"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let wipe = v["id"].as_i64().unwrap();
    let (s, v) = post_json(
        &s_c,
        &t,
        "/api/supplies/receipts",
        json!({"store_id": post, "item_id": wipe, "quantity": 5,
        "batch": "OLD", "expires_on": "2020-01-01", "source": "allocation"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    let c = t.login("checkpoint").await;
    let people = post_people(&t, &c, post).await;
    let body = |extra: Value| {
        let mut b = json!({"store_id": post, "shift_date": "2026-02-03", "shift": "夜班",
            "items": [{"item_id": wipe, "quantity": 1}], "people": [{"person_id": people[0], "signature": SIGNED}]});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let (s, v) = post_json(&c, &t, "/api/supplies/issues", body(json!({}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(messages(&v).contains("过期发放原因"), "{v}");
    let (s, v) =
        post_json(&c, &t, "/api/supplies/issues", body(json!({"expired_reason": "新批次未到，经指挥部同意"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // The same person and shift again: a warning that needs a reason.
    let (s, v) = post_json(&c, &t, "/api/supplies/issues", body(json!({"expired_reason": "同上"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(messages(&v).contains("重复签领原因") && messages(&v).contains("已签领 1 次"), "{v}");
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/issues",
        body(json!({"expired_reason": "同上", "repeat_reason": "防护服被划破，更换"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(qty(&t, &c, post, "WIPE").await, 3);
    let (_, hist) = get(&c, t.url(&format!("/api/supplies/issues?person_id={}", people[0]))).await;
    assert_eq!(hist[0]["repeat_reason"], "防护服被划破，更换");
    assert_eq!(hist[0]["expired_reason"], "同上");
    ledger_agrees(&t).await;
}

async fn leaders_and_officers_stay_within_their_scope(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let sup = t.login("supplies").await;
    let wh = store_named(&t, &sup, "局装备仓库").await;
    let other = store_named(&t, &sup, "幸福里").await; // a post of 城关派出所
    let own = store_named(&t, &sup, "G319").await; // a post of 交警一中队
    let n95 = item_coded(&t, &sup, "N95").await;

    let leader = t.login("checkpoint").await;
    let (_, stores) = get(&leader, t.url("/api/supplies/stores")).await;
    let names: Vec<&str> = stores.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.iter().all(|n| n.contains("卡点")) && names.len() == 2, "{names:?}");
    let (_, stock) = get(&leader, t.url("/api/supplies/stock")).await;
    assert_eq!(stock["bureau_wide"], false);
    assert!(stock["lines"].as_array().unwrap().iter().all(|l| l["store_id"] != wh && l["store_id"] != other));
    let before = qty(&t, &sup, other, "N95").await;
    // Moving another post's stock, or the warehouse's, is refused; so is issuing from it.
    for (from, to) in [(other, own), (wh, own)] {
        let (s, v) = post_json(
            &leader,
            &t,
            "/api/supplies/movements",
            json!({"kind": "transfer", "from_store_id": from,
            "to_store_id": to, "item_id": n95, "quantity": 1}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert!(v["message"].as_str().unwrap().contains("管辖范围"), "{v}");
    }
    let sec = t.login("secretary").await;
    let s01_people = post_people(&t, &sec, other).await;
    let (s, _) = post_json(
        &leader,
        &t,
        "/api/supplies/issues",
        json!({"store_id": other, "shift_date": "2026-02-04",
        "shift": "白班", "people": [{"person_id": s01_people[0], "signature": SIGNED}]}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = get(&leader, t.url(&format!("/api/supplies/posts/{other}"))).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another post's desk reads as missing");
    // Issuing at one's own post to someone of another unit is refused too.
    let (s, v) = post_json(
        &leader,
        &t,
        "/api/supplies/issues",
        json!({"store_id": own, "shift_date": "2026-02-04",
        "shift": "白班", "people": [{"person_id": s01_people[0], "signature": SIGNED}]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(messages(&v).contains("不在您的管辖范围内"), "{v}");
    assert_eq!(qty(&t, &sup, other, "N95").await, before);
    // The leader may send stock back from the own post to the warehouse.
    let (s, v) = post_json(
        &leader,
        &t,
        "/api/supplies/movements",
        json!({"kind": "transfer", "from_store_id": own,
        "to_store_id": wh, "item_id": n95, "quantity": 2}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // The branch secretary issues at the station's post to the officer and a colleague.
    let officer = t.app.store.account_by_username("officer").await.unwrap().unwrap().person_id.unwrap().0;
    let colleague = *s01_people.iter().find(|p| **p != officer).unwrap();
    let (s, v) = post_json(&sec, &t, "/api/supplies/issues", json!({"store_id": other, "shift_date": "2026-02-04",
        "shift": "白班", "people": [{"person_id": officer, "signature": SIGNED}, {"person_id": colleague, "signature": SIGNED}],
        "issuer_signature": SIGNED})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let off = t.login("officer").await;
    let (s, mine) = get(&off, t.url("/api/supplies/issues")).await;
    assert_eq!(s, StatusCode::OK);
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 1, "an officer sees only their own kit: {mine:?}");
    assert_eq!(mine[0]["person_id"], officer);
    let (s, _) = get(&off, t.url(&format!("/api/supplies/issues?person_id={colleague}"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let colleague_issue = mine[0]["id"].as_i64().unwrap() + 1;
    let r = off.get(t.url(&format!("/api/supplies/issues/{colleague_issue}/signature"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "nor a colleague's signature");
    let (s, _) = get(&off, t.url("/api/supplies/stock")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The leader of 交警一中队 does not see the station's issues.
    let (_, seen) = get(&leader, t.url("/api/supplies/issues")).await;
    assert!(seen.as_array().unwrap().is_empty(), "{seen}");
    // The kit page shows the officer's own issue.
    let page = off.get(t.url("/supplies/kit")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("2026-02-04 白班"), "{page:.300}");
}

async fn bad_input_names_each_field(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("supplies").await;
    let post = store_named(&t, &c, "G319").await;
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/receipts",
        json!({"quantity": "十", "source": "gift",
        "expires_on": "2026-13-01"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let m = messages(&v);
    for f in ["\"库点\"", "\"物资\"", "\"数量\"", "\"来源\"", "\"有效期至\""] {
        assert!(m.contains(f), "{f} in {m}");
    }
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/receipts",
        json!({"store_id": post, "item_id": 1, "quantity": 3,
        "source": "donation"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(messages(&v).contains("捐赠方"), "{v}");
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/receipts",
        json!({"store_id": 99999, "item_id": 1, "quantity": 3,
        "source": "purchase"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(messages(&v).contains("库点不存在"), "{v}");
    let (s, v) =
        post_json(&c, &t, "/api/supplies/movements", json!({"kind": "issue", "item_id": 1, "quantity": 1})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(messages(&v).contains("变动类型"), "{v}");
    let people = post_people(&t, &c, post).await;
    for (sig, words) in [
        ("data:image/gif;base64,R0lGODlhAQABAAAAACw=", "PNG 或 JPEG"),
        ("data:image/png;base64,iVBORw0KGgo=", "无法识别"),
        ("data:image/png;base64,@@@@", "base64"),
        ("data:image/png;base64,PHN2Zz48L3N2Zz4=", "PNG 或 JPEG"),
    ] {
        let (s, v) = post_json(
            &c,
            &t,
            "/api/supplies/issues",
            json!({"store_id": post, "shift_date": "2026-02-05",
            "shift": "白班", "people": [{"person_id": people[0], "signature": sig}]}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{sig}: {v}");
        assert!(messages(&v).contains("第1位签名") && messages(&v).contains(words), "{sig}: {v}");
    }
    let big = format!("data:image/png;base64,{}", "A".repeat(400_000));
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/issues",
        json!({"store_id": post, "shift_date": "2026-02-05",
        "shift": "白班", "people": [{"person_id": people[0], "signature": big}]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(messages(&v).contains("过大"), "{v}");
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/issues",
        json!({"store_id": post, "shift_date": "昨天", "shift": "",
        "people": [{"person_id": people[0]}]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let m = messages(&v);
    assert!(m.contains("班次日期") && m.contains("\"班次\"") && m.contains("代签原因"), "{m}");
    let (s, v) =
        post_json(&c, &t, "/api/supplies/items", json!({"code": "N95", "name": "重复", "issue_unit": "只"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(messages(&v).contains("物资编码"), "{v}");
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/stocktakes",
        json!({"store_id": post, "lines": [{"item_id": 1, "counted": "-1"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(messages(&v).contains("第1行实盘数量"), "{v}");
    for (body, field) in [
        (json!({"code": "T1", "name": "测试物资点", "kind": "team", "unit_id": 99999}), "所属单位不存在"),
        (
            json!({"code": "T1", "name": "测试物资点", "kind": "team", "unit_id": 1, "checkpoint_id": 99999}),
            "卡点不存在",
        ),
        (json!({"code": "T1", "name": "测试物资点", "kind": "warehouse", "unit_id": 1}), "只能有一个"),
        (json!({"code": "T1", "name": "测试物资点", "kind": "depot", "unit_id": 1}), "库点类型"),
    ] {
        let (s, v) = post_json(&c, &t, "/api/supplies/stores", body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(messages(&v).contains(field), "{field}: {v}");
    }
    let (s, v) = post_json(
        &c,
        &t,
        "/api/supplies/stores",
        json!({"code": "T1", "name": "测试物资点", "kind": "team", "unit_id": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(issue_count(&t).await, 0);
    // The forms answer in the page, with the field named.
    let r = c
        .post(t.url("/supplies/receive"))
        .form(&[
            ("store_id", post.to_string()),
            ("item_id", "1".into()),
            ("quantity", "0".into()),
            ("source", "purchase".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("数量不能小于 1"));
}

async fn pages_show_stock_and_the_issue_desk(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let leader = t.login("checkpoint").await;
    let post = store_named(&t, &leader, "G319").await;
    let page = leader.get(t.url("/supplies")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("G319") && page.contains("N95口罩") && page.contains(&format!("/supplies/posts/{post}")));
    assert!(!page.contains("局装备仓库"), "the warehouse is not the leader's");
    let desk = leader.get(t.url(&format!("/supplies/posts/{post}"))).send().await.unwrap();
    assert_eq!(desk.status(), StatusCode::OK);
    let desk = desk.text().await.unwrap();
    assert!(desk.contains("<canvas") && desk.contains("/assets/supplies.js") && desk.contains("提交签领"));
    let off = t.login("officer").await;
    let home = off.get(t.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("href=\"/supplies/kit\"") && !home.contains("href=\"/supplies\""), "menu by permission");
    let sup = t.login("supplies").await;
    let r = sup
        .post(t.url("/supplies/stocktake"))
        .form(&[("store_id", post.to_string()), ("counted:1:x", "5".to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "an unknown batch counted without a reason");
}

/// Transfers in opposite directions between two stores at once (on PostgreSQL from two nodes)
/// all go through: balances are locked in store order, so they never deadlock.
async fn opposite_transfers_at_once_all_go_through(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let second = if backend == Backend::Postgres { Some(t.spawn_node().await) } else { None };
    let c1 = t.login("supplies").await;
    let c2 = match &second {
        Some(n) => n.login("supplies").await,
        None => t.login("supplies").await,
    };
    let base2 = second.as_ref().map(|n| n.base.clone()).unwrap_or_else(|| t.base.clone());
    let wh = store_named(&t, &c1, "局装备仓库").await;
    let post = store_named(&t, &c1, "G319").await;
    let n95 = item_coded(&t, &c1, "N95").await;
    let (wh0, post0) = (qty(&t, &c1, wh, "N95").await, qty(&t, &c1, post, "N95").await);
    let mut tasks = Vec::new();
    for n in 0..16 {
        let (from, to) = if n % 2 == 0 { (wh, post) } else { (post, wh) };
        let (c, base) = if n % 4 < 2 { (c1.clone(), t.base.clone()) } else { (c2.clone(), base2.clone()) };
        let body = json!({"kind": "transfer", "from_store_id": from, "to_store_id": to, "item_id": n95, "quantity": 3});
        tasks.push(tokio::spawn(async move {
            let r = c.post(format!("{base}/api/supplies/movements")).json(&body).send().await.unwrap();
            let s = r.status();
            (s, r.text().await.unwrap_or_default())
        }));
    }
    for task in tasks {
        let (s, body) = task.await.unwrap();
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    assert_eq!(qty(&t, &c1, wh, "N95").await, wh0);
    assert_eq!(qty(&t, &c1, post, "N95").await, post0);
    ledger_agrees(&t).await;
}

both_backends!(
    ledger_is_the_stock,
    below_zero_is_refused,
    issue_to_a_shift_is_all_or_nothing,
    the_issuer_signs_a_shift_on_the_same_phone,
    expired_batches_and_second_issues_need_a_reason,
    leaders_and_officers_stay_within_their_scope,
    bad_input_names_each_field,
    pages_show_stock_and_the_issue_desk,
    opposite_transfers_at_once_all_go_through,
);
