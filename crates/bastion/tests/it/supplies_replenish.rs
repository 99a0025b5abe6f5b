//! Replenishment over real HTTP on both backends: days of supply weigh planned and observed use,
//! falling below the minimum alerts the bot groups once, a post's request is decided once and sent
//! on approval, receipts import from a spreadsheet all or nothing, and a post that will run out
//! before its next projected delivery is told of once.

use bastion_testkit::{both_backends, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Row;

use super::supplies::{
    audit_count, get, item_coded, ledger_agrees, messages, post, post_json, post_people, qty, store_named, SIGNED,
};

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
    // The minimum-days alerts only: supplies' jobs also tell the groups of run-outs before the next
    // delivery, expiring batches and people without kit, as the clock and the demo's shifts make them.
    let alerts = || async {
        sqlx::query("SELECT body FROM notify_outbox WHERE source = 'supplies' ORDER BY id")
            .fetch_all(t.app.store.reader())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("body"))
            .filter(|b| b.starts_with("【防护物资预警】"))
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

/// A post's next delivery is projected from the gaps between its latest deliveries; stock that
/// runs out before that day is told to the groups once per post, item and projected day, naming
/// no person; enough stock takes the mark away.
async fn a_post_that_runs_out_before_its_next_delivery_is_told_once(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let boss = t.login("commander").await;
    let ch =
        json!({"kind": "wecom", "name": "装备保障群", "url": "http://127.0.0.1:9/wecom?key=k", "min_interval_ms": "0"});
    let r = boss.post(t.url("/api/notify/channels")).json(&ch).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let sup = t.login("supplies").await;
    let post = store_named(&t, &sup, "G319").await;
    let wh = store_named(&t, &sup, "局装备仓库").await;
    let n95 = item_coded(&t, &sup, "N95").await;
    let send =
        |q: i64| json!({"kind": "transfer", "from_store_id": wh, "to_store_id": post, "item_id": n95, "quantity": q});
    let (s, v) = post_json(&sup, &t, "/api/supplies/movements", send(1)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // The transfer is today's delivery; before it, the post was delivered to 3 and 6 days ago.
    let today = bastion_core::time::day_start_of(bastion_core::time::now_ms());
    let day = 86_400_000;
    let n =
        sqlx::query("UPDATE supply_deliveries SET d2 = $1, d3 = $2 WHERE store_id = $3 AND item_id = $4 AND d1 = $5")
            .bind(today - 3 * day)
            .bind(today - 6 * day)
            .bind(post)
            .bind(n95)
            .bind(today)
            .execute(t.app.store.reader())
            .await
            .unwrap()
            .rows_affected();
    assert_eq!(n, 1, "the transfer kept today as the post's latest delivery of N95");
    let line = || async {
        let (s, f) = get(&sup, t.url("/api/supplies/forecast")).await;
        assert_eq!(s, StatusCode::OK, "{f}");
        f.as_array().unwrap().iter().find(|l| l["store_id"] == post && l["item_name"] == "N95口罩").unwrap().clone()
    };
    let l = line().await;
    let in_three = bastion_core::time::date_of_day_number(bastion_core::time::day_number(today) + 3).to_string();
    assert_eq!(
        (l["next_delivery_on"].as_str(), l["delivery_gap_days"].as_i64()),
        (Some(in_three.as_str()), Some(3)),
        "{l}"
    );
    assert!(l["days_of_supply"].as_f64().unwrap() < 3.0, "the demo post holds under three days: {l}");
    assert_eq!(l["short_before_delivery"], true, "{l}");
    // The warehouse is never marked: it is what delivers.
    let (_, f) = get(&sup, t.url("/api/supplies/forecast")).await;
    assert!(f.as_array().unwrap().iter().filter(|l| l["store_id"] == wh).all(|l| l["short_before_delivery"] == false));
    let page = sup.get(t.url("/supplies")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("到货前断供") && page.contains(&in_three), "the stock page marks the line");

    let now = bastion_core::time::now_ms();
    let ours = || async {
        sqlx::query("SELECT body FROM notify_outbox WHERE source = 'supplies' ORDER BY id")
            .fetch_all(t.app.store.reader())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("body"))
            .filter(|b| b.starts_with("【防护物资断供预警】") && b.contains("G319") && b.contains("N95口罩"))
            .collect::<Vec<_>>()
    };
    t.app.runout_clock(now).await.unwrap();
    t.app.runout_clock(now + 60_000).await.unwrap();
    let told = ours().await;
    assert_eq!(told.len(), 1, "once: {told:?}");
    assert!(told[0].contains(&format!("预计下次到货 {in_three}")) && told[0].contains("平均每 3 天一次"), "{told:?}");
    let names: Vec<String> = sqlx::query("SELECT name FROM people")
        .fetch_all(t.app.store.reader())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("name"))
        .collect();
    assert!(!names.iter().any(|n| told[0].contains(n.as_str())), "no person named: {told:?}");

    // Enough for the gap: no longer marked, and nothing more is told.
    let (s, v) = post_json(&sup, &t, "/api/supplies/movements", send(1000)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let l = line().await;
    assert_eq!(l["short_before_delivery"], false, "{l}");
    assert_eq!(
        l["next_delivery_on"].as_str(),
        Some(in_three.as_str()),
        "a second delivery the same day is one delivery"
    );
    t.app.runout_clock(now + 120_000).await.unwrap();
    assert_eq!(ours().await.len(), 1);
}

both_backends!(
    forecast_weighs_planned_and_observed_use,
    falling_below_the_minimum_alerts_the_bot_groups_once,
    requests_from_a_post_are_decided_once_and_sent_on_approval,
    receipts_import_from_a_spreadsheet_all_or_nothing,
    a_post_that_runs_out_before_its_next_delivery_is_told_once,
);
