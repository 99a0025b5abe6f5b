//! Protective supplies over real HTTP on both backends: stock is the ledger, a withdrawal beyond
//! the stock is refused (also under concurrent issues, on two nodes on PostgreSQL), an issue to a
//! shift is all or nothing, expired batches and second issues need a reason, scope, and bad input
//! answered field by field.

use bastion_testkit::{both_backends, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Row;

/// A 16×16 PNG with a few dark strokes: a signature.
pub(super) const SIGNED: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAS0lEQVR4nKWTiQkAMAgDs//SdoD6nEYQQomHFpWk0D3iE5fiC6T0Esjo6Qy4y8y4/qco9BqCZnayBWcat07ecDGGWItkrbJ1TNY5PxIBLdPOsbqpAAAAAElFTkSuQmCC";
/// The same size, all transparent: an untouched canvas.
const BLANK: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAEklEQVR4nGNgGAWjYBSMAggAAAQQAAFVN1rQAAAAAElFTkSuQmCC";

async fn post(c: &reqwest::Client, url: String, b: &Value) -> (StatusCode, Value) {
    let r = c.post(url).json(b).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn get(c: &reqwest::Client, url: String) -> (StatusCode, Value) {
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

async fn audit_count(t: &TestApp, action: &str) -> i64 {
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

fn messages(v: &Value) -> String {
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

async fn post_json(c: &reqwest::Client, t: &TestApp, path: &str, b: Value) -> (StatusCode, Value) {
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
    let shift = |who: Vec<Value>| json!({"store_id": post, "shift_date": "2026-02-02", "shift": "白班", "people": who});
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
    assert_eq!(crate::pdf::images(&pdf), 2, "the two drawn signatures are on the form");
    // Lines wrap inside table cells: read the text as one run.
    let text = crate::pdf::text(&pdf).replace('\n', "");
    assert!(text.contains("防护物资签领单") && text.contains("班次 2026-02-02 白班"), "{text}");
    assert!(text.contains("手部受伤，无法签字"), "the leader's reason is on the form:\n{text}");
    assert!(text.contains("发放人（签字）") && text.contains("带班负责人（签字）"), "{text}");
    let r = c.get(t.url(&format!("/supplies/posts/{post}/form?date=昨天&shift=白班"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let off = t.login("officer").await;
    let r = off.get(t.url(&format!("/supplies/posts/{post}/form"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
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
        "shift": "白班", "people": [{"person_id": officer, "signature": SIGNED}, {"person_id": colleague, "signature": SIGNED}]})).await;
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

async fn forecast_weighs_planned_and_observed_use(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("supplies").await;
    let post = store_named(&t, &c, "G319").await;
    let n95 = item_coded(&t, &c, "N95").await;
    // 交警一中队's people on duty, shared by its two checkpoint posts.
    let on_duty: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM people p JOIN units u ON u.id = p.unit_id \
         WHERE u.code = 'D07-1' AND p.enabled = 1 AND p.duty_status = 'on_duty'",
    )
    .fetch_one(t.app.store.reader())
    .await
    .unwrap()
    .get("n");
    let line = |f: &Value, store: i64, item: &str| -> Value {
        f.as_array()
            .unwrap()
            .iter()
            .find(|l| l["store_id"] == store && l["item_name"] == item)
            .unwrap_or_else(|| panic!("no forecast of {item} at {store}: {f}"))
            .clone()
    };
    let (s, f) = get(&c, t.url("/api/supplies/forecast")).await;
    assert_eq!(s, StatusCode::OK, "{f}");
    let l = line(&f, post, "N95口罩");
    let people = on_duty / 2;
    assert_eq!(l["people"], people);
    assert_eq!(l["on_hand"], 72);
    assert_eq!(l["planned_per_day"].as_f64().unwrap(), (people * 2) as f64);
    let days = 72.0 / (people * 2) as f64;
    assert_eq!(l["days_of_supply"].as_f64().unwrap(), (days * 10.0).floor() / 10.0);
    assert_eq!(l["below_minimum"], days < 7.0);
    let run_out = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
        .checked_add(jiff::Span::new().days(days.floor() as i64))
        .unwrap();
    assert_eq!(l["run_out_on"], run_out.to_string());
    // Durable goggles have no planned use and none observed: no run-out date.
    let g = line(&f, post, "护目镜");
    assert!(g["days_of_supply"].is_null() && g["run_out_on"].is_null() && g["below_minimum"] == false, "{g}");
    // The warehouse's observed use counts what it sent to the posts.
    let wh = store_named(&t, &c, "局装备仓库").await;
    let w = line(&f, wh, "N95口罩");
    assert!(w["observed_per_day"].as_f64().unwrap() > 0.0, "{w}");

    // Observed use follows issues: 14 N95 over 14 days is one a day.
    let people_ids = post_people(&t, &c, post).await;
    let (s, v) = post_json(&c, &t, "/api/supplies/issues", json!({"store_id": post, "shift_date": "2026-02-06",
        "shift": "白班", "items": [{"item_id": n95, "quantity": 14}], "people": [{"person_id": people_ids[0], "signature": SIGNED}]})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, f) = get(&c, t.url("/api/supplies/forecast")).await;
    let l = line(&f, post, "N95口罩");
    assert_eq!(l["on_hand"], 58);
    assert_eq!(l["observed_per_day"].as_f64().unwrap(), 1.0);
    // The stock page shows the forecast.
    let page = c.get(t.url("/supplies")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("保障天数预测") && page.contains("低于最低保障"), "{page:.200}");
}

/// Taking a post below its minimum days of supply queues one alert to the chat-bot groups (the
/// delivery queue, as supplies' message of that store), in the same transaction; the text names the
/// store and item, no person.
async fn falling_below_the_minimum_alerts_the_bot_groups_once(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let boss = t.login("commander").await;
    let ch =
        json!({"kind": "wecom", "name": "装备保障群", "url": "http://127.0.0.1:9/wecom?key=k", "min_interval_ms": "0"});
    let r = boss.post(t.url("/api/notify/channels")).json(&ch).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let alerts = || async {
        sqlx::query("SELECT body FROM notify_outbox WHERE source = 'supplies' ORDER BY id")
            .fetch_all(t.app.store.reader())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("body"))
            .collect::<Vec<_>>()
    };
    let sup = t.login("supplies").await;
    let post = store_named(&t, &sup, "G319").await;
    let wh = store_named(&t, &sup, "局装备仓库").await;
    let n95 = item_coded(&t, &sup, "N95").await;
    // The demo post holds 1.5 days of N95 at the planned rate: fill it well above 7 days first.
    let (s, v) = post_json(
        &sup,
        &t,
        "/api/supplies/movements",
        json!({"kind": "transfer", "from_store_id": wh,
        "to_store_id": post, "item_id": n95, "quantity": 1000}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, f) = get(&sup, t.url("/api/supplies/forecast")).await;
    let line =
        f.as_array().unwrap().iter().find(|l| l["store_id"] == post && l["item_name"] == "N95口罩").unwrap().clone();
    let rate = line["planned_per_day"].as_f64().unwrap() as i64;
    let on_hand = line["on_hand"].as_i64().unwrap();
    assert!(on_hand >= 7 * rate + 20, "{line}");
    assert!(alerts().await.iter().all(|b| !b.contains("G319")), "no alert while above the minimum");
    // Issue so that the post keeps exactly the minimum: still no alert.
    let leader = t.login("checkpoint").await;
    let people = post_people(&t, &leader, post).await;
    let issue = |person: i64, q: i64| {
        json!({"store_id": post, "shift_date": "2026-02-07", "shift": "白班",
            "items": [{"item_id": n95, "quantity": q}], "people": [{"person_id": person, "signature": SIGNED}]})
    };
    let (s, v) = post_json(&leader, &t, "/api/supplies/issues", issue(people[0], on_hand - 7 * rate)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(alerts().await.iter().all(|b| !b.contains("G319")));
    // One more below it: one alert; a further issue below it adds none.
    let (s, v) = post_json(&leader, &t, "/api/supplies/issues", issue(people[1], 2)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = post_json(&leader, &t, "/api/supplies/issues", issue(people[2], 2)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let ours: Vec<String> = alerts().await.into_iter().filter(|b| b.contains("G319")).collect();
    assert_eq!(ours.len(), 1, "{ours:?}");
    let text = &ours[0];
    assert!(
        text.contains("防护物资预警") && text.contains("N95口罩") && text.contains(&format!("剩余 {}只", 7 * rate - 2)),
        "{text}"
    );
    assert!(text.contains("最低保障 7 天"), "{text}");
    let names: Vec<String> = sqlx::query("SELECT name FROM people")
        .fetch_all(t.app.store.reader())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("name"))
        .collect();
    assert!(!names.iter().any(|n| text.contains(n.as_str())), "the alert names no person: {text}");
}

/// A post's leader requests from the warehouse; only someone who may move the warehouse decides;
/// an approval (possibly reduced, with a reason) is sent as transfers at once; a request is
/// decided once; a rejection or a shortage leaves stock alone.
async fn requests_from_a_post_are_decided_once_and_sent_on_approval(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let sup = t.login("supplies").await;
    let leader = t.login("checkpoint").await;
    let g319 = store_named(&t, &sup, "G319").await;
    let wh = store_named(&t, &sup, "局装备仓库").await;
    let other = store_named(&t, &sup, "幸福里").await;
    let (n95, suit) = (item_coded(&t, &sup, "N95").await, item_coded(&t, &sup, "SUIT").await);
    let ask = |store: i64, lines: Value| json!({"store_id": store, "note": "夜班人员增加", "lines": lines});
    let lines = json!([{"item_id": n95, "quantity": 100}, {"item_id": suit, "quantity": 50}]);
    let (s, v) = post_json(&leader, &t, "/api/supplies/requests", ask(wh, lines.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the warehouse is not the leader's: {v}");
    let (s, _) = post_json(&leader, &t, "/api/supplies/requests", ask(other, lines.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) =
        post_json(&leader, &t, "/api/supplies/requests", ask(g319, json!([{"item_id": n95, "quantity": 0}]))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(messages(&v).contains("第1项数量"), "{v}");
    let (s, v) = post_json(&leader, &t, "/api/supplies/requests", ask(g319, lines.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let rid = v["id"].as_i64().unwrap();
    let decide = |b: Value| {
        let c = sup.clone();
        let url = t.url(&format!("/api/supplies/requests/{rid}/decision"));
        async move { post(&c, url, &b).await }
    };
    // The leader cannot approve their own request; the station's secretary does not even see it.
    let (s, _) =
        post(&leader, t.url(&format!("/api/supplies/requests/{rid}/decision")), &json!({"action": "approve"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let sec = t.login("secretary").await;
    let (_, seen) = get(&sec, t.url("/api/supplies/requests")).await;
    assert!(seen.as_array().unwrap().is_empty(), "{seen}");
    let (_, mine) = get(&leader, t.url("/api/supplies/requests")).await;
    assert_eq!(mine[0]["status"], "requested");

    let before = (qty(&t, &sup, g319, "N95").await, qty(&t, &sup, g319, "SUIT").await, qty(&t, &sup, wh, "SUIT").await);
    let (s, v) = decide(json!({"action": "approve", "lines": [{"item_id": suit, "quantity": 30}]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a reduction needs its reason: {v}");
    assert!(messages(&v).contains("审批意见") && messages(&v).contains("50 → 30"), "{v}");
    let (s, v) = decide(json!({"action": "approve", "reason": "防护服库存紧张，先发 30 套",
        "lines": [{"item_id": suit, "quantity": 30}]}))
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(qty(&t, &sup, g319, "N95").await, before.0 + 100);
    assert_eq!(qty(&t, &sup, g319, "SUIT").await, before.1 + 30);
    assert_eq!(qty(&t, &sup, wh, "SUIT").await, before.2 - 30);
    let (s, v) = decide(json!({"action": "approve"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "decided once: {v}");
    let (_, list) = get(&leader, t.url("/api/supplies/requests")).await;
    let r = &list[0];
    assert_eq!(r["status"], "fulfilled");
    assert_eq!(r["decision_reason"], "防护服库存紧张，先发 30 套");
    assert!(r["lines"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["item_id"] == suit && l["requested"] == 50 && l["approved"] == 30));

    // More than the warehouse holds: refused, the request stays open, nothing moved.
    let (_, v) =
        post_json(&leader, &t, "/api/supplies/requests", ask(g319, json!([{"item_id": suit, "quantity": 100000}])))
            .await;
    let big = v["id"].as_i64().unwrap();
    let wh_suits = qty(&t, &sup, wh, "SUIT").await;
    let (s, v) =
        post(&sup, t.url(&format!("/api/supplies/requests/{big}/decision")), &json!({"action": "approve"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["message"].as_str().unwrap().contains(&format!("局装备仓库 医用防护服 现有 {wh_suits}，本次需要 100000")),
        "{v}"
    );
    let (s, v) =
        post(&sup, t.url(&format!("/api/supplies/requests/{big}/decision")), &json!({"action": "reject"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(messages(&v).contains("退回须写明原因"), "{v}");
    let (s, _) = post(
        &sup,
        t.url(&format!("/api/supplies/requests/{big}/decision")),
        &json!({"action": "reject", "reason": "数量有误，请按建议数量重报"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(qty(&t, &sup, wh, "SUIT").await, wh_suits);
    let (_, list) = get(&sup, t.url("/api/supplies/requests")).await;
    assert_eq!(list[0]["status"], "rejected");
    assert_eq!(audit_count(&t, "物资申领").await, 2);
    assert_eq!(audit_count(&t, "批准申领").await, 1);
    assert_eq!(audit_count(&t, "退回申领").await, 1);
    ledger_agrees(&t).await;
    // The page lists them; the officer has no request page.
    let page = sup.get(t.url("/supplies/requests")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("已批准发出") && page.contains("已退回"), "{page:.300}");
    let off = t.login("officer").await;
    let (s, _) = get(&off, t.url("/api/supplies/requests")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn upload(t: &TestApp, c: &reqwest::Client, path: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    let r = c.post(t.url(path)).multipart(form).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// Receipts from a spreadsheet: checked row by row, all or nothing, then posted to the ledger.
async fn receipts_import_from_a_spreadsheet_all_or_nothing(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("supplies").await;
    let wh = store_named(&t, &c, "局装备仓库").await;
    let wh0 = qty(&t, &c, wh, "GLOVE").await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet().set_name("入库").unwrap();
    let rows = [
        ["库点编码", "物资编码", "数量", "来源", "批号", "有效期至", "捐赠方", "备注"],
        ["WH", "GLOVE", "500", "采购", "G-77", "2099-06-30", "", "县财政应急采购"],
        ["P01", "MASK", "200", "社会捐赠", "", "", "青岚县某商会", ""],
        ["WH", "NOPE", "0", "赠送", "", "2026-02-30", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (col, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, col as u16, *v).unwrap();
        }
    }
    let bad = wb.save_to_buffer().unwrap();
    let (s, v) = upload(&t, &c, "/api/supplies/receipts/import", "入库.xlsx", bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let m = messages(&v);
    for want in
        ["第4行：物资编码“NOPE”不存在", "第4行：数量不能小于 1", "第4行：来源只能是", "第4行：有效期至不是有效日期"]
    {
        assert!(m.contains(want), "{want} in {m}");
    }
    assert!(!m.contains("第2行") && !m.contains("第3行"), "{m}");
    assert_eq!(qty(&t, &c, wh, "GLOVE").await, wh0, "nothing written");
    // Without the bad row (a CSV this time): dry run first, then for real.
    let csv = "库点编码,物资编码,数量,来源,批号,有效期至,捐赠方,备注\nWH,GLOVE,500,采购,G-77,2099-06-30,,县财政应急采购\nP01,MASK,200,社会捐赠,,,青岚县某商会,\n";
    let p01 = t.app.store.supply_stores().await.unwrap().into_iter().find(|s| s.code == "P01").unwrap();
    let (s, v) =
        upload(&t, &c, "/api/supplies/receipts/import?dry_run=true", "入库.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["rows"], 2);
    assert_eq!(v["units"], 700);
    assert_eq!(qty(&t, &c, wh, "GLOVE").await, wh0);
    let p01_mask = qty(&t, &c, p01.id.0, "MASK").await;
    let (s, v) = upload(&t, &c, "/api/supplies/receipts/import", "入库.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(qty(&t, &c, wh, "GLOVE").await, wh0 + 500);
    assert_eq!(qty(&t, &c, p01.id.0, "MASK").await, p01_mask + 200);
    let (_, moves) = get(&c, t.url(&format!("/api/supplies/movements?store_id={}", p01.id.0))).await;
    assert!(
        moves.as_array().unwrap().iter().any(|m| m["source"] == "donation" && m["donor"] == "青岚县某商会"),
        "{moves}"
    );
    assert_eq!(audit_count(&t, "物资批量入库").await, 1);
    // A post's leader may import only into their own stores.
    let leader = t.login("checkpoint").await;
    let (s, v) = upload(&t, &leader, "/api/supplies/receipts/import", "入库.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(messages(&v).contains("第2行：库点“局装备仓库”不在您的管辖范围内"), "{v}");
    let (s, v) = upload(&t, &c, "/api/supplies/receipts/import", "x.txt", b"abc".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["message"].as_str().unwrap().contains("仅允许导入 xlsx 或 csv"), "{v}");
    ledger_agrees(&t).await;
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
    expired_batches_and_second_issues_need_a_reason,
    leaders_and_officers_stay_within_their_scope,
    bad_input_names_each_field,
    pages_show_stock_and_the_issue_desk,
    forecast_weighs_planned_and_observed_use,
    falling_below_the_minimum_alerts_the_bot_groups_once,
    requests_from_a_post_are_decided_once_and_sent_on_approval,
    receipts_import_from_a_spreadsheet_all_or_nothing,
    opposite_transfers_at_once_all_go_through,
);
