//! Recall orders on both backends: issue with the audience shown first, approval by a
//! second commander, personal links (forged / expired / reused / double answers), the board and
//! its export, escalation waves on an injected clock, and the board's event stream across two
//! nodes on one PostgreSQL database. Delivery (webhooks, SMS) is in `notify`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bastion_app::recall::link;
use bastion_core::recall::{Event, ExemptReason, RecallState};
use bastion_store::org::PersonId;
use bastion_store::recall::{Applied, OrderId, Transition};
use bastion_testkit::{both_backends, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

pub(super) async fn unit_id(t: &TestApp, code: &str) -> i64 {
    t.app.store.unit_by_code(code).await.unwrap().unwrap().id.0
}

/// Issue an order to one unit (and below) through the API; returns its id.
pub(super) async fn issue(c: &reqwest::Client, t: &TestApp, unit: i64, extra: Value) -> (StatusCode, Value) {
    let mut body = json!({"title": "督察大队返岗", "message": "请立即返岗报到", "scope": "units", "unit_ids": unit.to_string(),
        "deadline_minutes": "30", "mode": "drill", "waves": ""});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let r = c.post(t.url("/api/recall")).json(&body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

pub(super) async fn board(c: &reqwest::Client, base: &str, id: i64) -> Value {
    let r = c.get(format!("{base}/api/recall/{id}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// The personal link of the n-th person (by id) of an order.
async fn link_of(t: &TestApp, id: i64, nth: usize) -> (String, PersonId) {
    let order = t.app.store.recall_order(OrderId(id)).await.unwrap();
    let mut people = t.app.store.recall_missing(OrderId(id), None, 1000, 0).await.unwrap();
    people.sort_by_key(|p| p.person_id);
    let target = &people[nth];
    (t.app.recall_token(&order, target), target.person_id)
}

/// The counts the board reads (kept with every change) equal the order's people counted afresh.
async fn counts_agree(t: &TestApp, id: i64) {
    use sqlx::Row;
    let pool = t.app.store.reader();
    let read = |sql: &'static str| async move {
        let mut rows: Vec<(i64, String, i64)> = sqlx::query(sql)
            .bind(id)
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("unit_id"), r.get("state"), r.get("n")))
            .collect();
        rows.sort();
        rows
    };
    let kept = read("SELECT unit_id, state, n FROM recall_unit_counts WHERE order_id = $1 AND n <> 0").await;
    let counted =
        read("SELECT unit_id, state, COUNT(*) AS n FROM recall_targets WHERE order_id = $1 GROUP BY unit_id, state")
            .await;
    assert!(!counted.is_empty());
    assert_eq!(kept, counted, "kept counts (left) against the people counted (right)");
}

async fn events_count(t: &TestApp, id: i64) -> i64 {
    use sqlx::Row;
    let pool = t.app.store.reader();
    sqlx::query("SELECT COUNT(*) AS n FROM recall_events WHERE order_id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
        .try_get::<i64, _>("n")
        .unwrap()
}

async fn order_lifecycle_and_links(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let d13 = unit_id(&t, "D13").await;

    // The demo bureau's finished drill shows 956/956.
    let list: Value = c.get(t.url("/api/recall")).send().await.unwrap().json().await.unwrap();
    let demo = list.as_array().unwrap().iter().find(|o| o["title"] == "全警返岗演练").expect("demo drill");
    let b = board(&c, &t.base, demo["id"].as_i64().unwrap()).await;
    assert_eq!(b["headline"], "956/956（到岗 946 + 免到 10）");
    assert_eq!(b["missing_total"], 0);

    // Preview: the audience size before anything is written.
    let p: Value = c
        .post(t.url("/api/recall/preview"))
        .json(&json!({"title": "督察大队返岗", "message": "请立即返岗", "scope": "units", "unit_ids": d13.to_string(), "deadline_minutes": "30", "mode": "live"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["audience"], 10);
    assert_eq!(p["needs_approval"], false);

    // An empty audience is refused with the reason, and nothing is written.
    let before = t.app.store.recall_orders(100).await.unwrap().len();
    // Nothing is preselected: an order without its type or its scope is refused, naming both.
    let (s, e) = issue(&c, &t, d13, json!({"mode": "", "scope": ""})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"召集类型") && fields.contains(&"召集范围"), "{e}");
    // Reminder waves after the deadline are refused.
    let (s, e) = issue(&c, &t, d13, json!({"waves": "10,20,40", "deadline_minutes": "30"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e.to_string().contains("升级提醒须在到岗时限（30 分钟）之内"), "{e}");
    let (s, e) = issue(&c, &t, d13, json!({"scope": "filter", "police_type": "traffic"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["message"].as_str().unwrap().contains("没有可召集的人员"), "{e}");
    assert_eq!(t.app.store.recall_orders(100).await.unwrap().len(), before);
    let (s, e) = issue(&c, &t, d13, json!({"deadline_minutes": "0", "title": ""})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"标题") && fields.contains(&"到岗时限"), "{e}");

    // A script sends numbers and lists, as the API document describes them: the same order.
    let r = c
        .post(t.url("/api/recall/preview"))
        .json(&json!({"title": "督察大队返岗", "message": "请立即返岗报到", "scope": "units",
        "unit_ids": [d13], "deadline_minutes": 30, "mode": "drill", "waves": [10, 20]}))
        .send()
        .await
        .unwrap();
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["audience"], 10, "{p}");
    let (s, e) = issue(&c, &t, d13, json!({"waves": [10, 20, 40], "deadline_minutes": 30})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e.to_string().contains("升级提醒须在到岗时限（30 分钟）之内"), "{e}");
    let (s, created) = issue(&c, &t, d13, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["audience"], 10);
    assert_eq!(created["status"], "active");
    let id = created["id"].as_i64().unwrap();
    let b = board(&c, &t.base, id).await;
    let exempt = b["tally"]["exempt"].as_i64().unwrap();
    assert_eq!(b["tally"]["pending"].as_i64().unwrap() + exempt, 10);

    // The personal link: no session needed; opening it counts as delivered.
    let anon = t.client();
    let (token, person) = link_of(&t, id, 0).await;
    let r = anon.get(t.url(&format!("/r/{token}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("督察大队返岗") && html.contains("演练"), "drills are marked");
    assert!(html.contains("已送达"));
    let ack = |action: &'static str| {
        let anon = anon.clone();
        let url = t.url(&format!("/r/{token}"));
        async move { anon.post(url).form(&[("action", action)]).send().await.unwrap() }
    };
    let r = ack("ack").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("已确认收到"));
    let n = events_count(&t, id).await;
    // A second acknowledgement is idempotent: a clear answer, nothing written.
    let r = ack("ack").await;
    assert!(r.text().await.unwrap().contains("本次操作未做任何更改"));
    assert_eq!(events_count(&t, id).await, n);
    let r = anon
        .post(t.url(&format!("/r/{token}")))
        .form(&[("action", "arrive"), ("location", "岗位码 KD-07")])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("到岗报到成功"));
    let target = t.app.store.recall_target(OrderId(id), person).await.unwrap();
    assert_eq!(target.state.code(), "on_post");
    assert!(target.updated_by.starts_with("本人"), "attributed: {}", target.updated_by);
    // Reused after the last step: a clear page, nothing changes.
    let n = events_count(&t, id).await;
    let r = ack("arrive").await;
    assert!(r.text().await.unwrap().contains("此链接已完成使命"));
    assert_eq!(events_count(&t, id).await, n);

    // Forged and expired links: a clear page, no change.
    let forged = token.replacen(&format!(".{}.", person.0), &format!(".{}.", person.0 + 1), 1);
    let r = anon.post(t.url(&format!("/r/{forged}"))).form(&[("action", "ack")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("链接无效"));
    let (_, second) = link_of(&t, id, 1).await;
    let nonce = t.app.store.recall_target(OrderId(id), second).await.unwrap().nonce;
    let expired =
        link::make(&t.app.store.crypto, &link::Claims { order: OrderId(id), person: second, expires: 1_000, nonce });
    let r = anon.post(t.url(&format!("/r/{expired}"))).form(&[("action", "ack")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::GONE);
    assert!(r.text().await.unwrap().contains("链接已过期"));
    assert_eq!(events_count(&t, id).await, n);

    // The board: 1 on post; the desk marks one exempt; the export lists the rest with their head.
    let b = board(&c, &t.base, id).await;
    assert_eq!(b["tally"]["on_post"], 1);
    let still = b["missing"].as_array().unwrap().len() as i64;
    assert_eq!(b["missing_total"], still);
    assert_eq!(still, 9 - exempt);
    let first_missing = b["missing"][0]["person_id"].as_i64().unwrap();
    // The unit's head, or the nearest head above it (督察大队's first member is not a 大队长 in the demo).
    assert!(b["missing"][0]["head"].as_str().unwrap().contains("长）"), "{}", b["missing"][0]);
    assert!(b["missing"][0].get("nonce").is_none(), "link material stays on the server");
    let r = c
        .post(t.url(&format!("/api/recall/{id}/people/{first_missing}")))
        .json(&json!({"action": "exempt", "reason": "other_task"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .post(t.url(&format!("/api/recall/{id}/people/{first_missing}")))
        .json(&json!({"action": "exempt", "reason": "flu"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let csv = c.get(t.url(&format!("/api/recall/{id}/missing/export"))).send().await.unwrap().bytes().await.unwrap();
    let csv = String::from_utf8_lossy(&csv);
    assert_eq!(csv.lines().count() as i64, 1 + still - 1, "{csv}");
    assert!(csv.contains("单位负责人"));
    let b = board(&c, &t.base, id).await;
    let tally = &b["tally"];
    let sum: i64 = ["pending", "delivered", "acked", "on_post", "exempt", "no_response"]
        .iter()
        .map(|k| tally[k].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 10, "totals add up");

    // The officer's own recall in the app (officer is in 城关派出所, not in this order).
    let officer = t.login("officer").await;
    let r =
        officer.post(t.url(&format!("/api/recall/{id}/answer"))).json(&json!({"action": "ack"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Closing ends the links: a clear page, nothing changes.
    let r = c.post(t.url(&format!("/api/recall/{id}/close"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (token3, _) = link_of(&t, id, 2).await;
    let r = anon.post(t.url(&format!("/r/{token3}"))).form(&[("action", "ack")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("已结束"));

    // The audit chain holds, and names no phone number.
    let (_, broken) = t.app.store.verify_audit().await.unwrap();
    assert!(broken.is_none());
    let (records, _) = t.app.store.audit_records(None, Some("recall"), 500, 0).await.unwrap();
    assert!(records.iter().any(|r| r.action == "召集应答"));
    let mobile = t.app.store.person_contact(person).await.unwrap().1.unwrap();
    assert!(records.iter().all(|r| !r.detail.contains(&mobile) && !r.target.contains(&mobile)));
}

async fn approval_needs_a_second_commander(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let root = t.app.store.account_by_username("commander").await.unwrap().unwrap();
    let ctx = bastion_app::Ctx::from_account(&root, "127.0.0.1", "");
    t.app.set_recall_threshold(&ctx, 5).await.unwrap();
    let d13 = unit_id(&t, "D13").await;
    let (s, created) = issue(&c, &t, d13, json!({})).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(created["status"], "awaiting_approval");
    let id = created["id"].as_i64().unwrap();
    // Not yet out: links say so, and the issuer cannot approve their own order.
    let (token, _) = link_of(&t, id, 0).await;
    let r = t.client().get(t.url(&format!("/r/{token}"))).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("尚未生效"));
    let r = c.post(t.url(&format!("/api/recall/{id}/approve"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A second commander approves.
    let hash = bastion_app::auth::hash_password(bastion_testkit::DEMO_PASSWORD).unwrap();
    let mut tx = t.app.store.begin().await.unwrap();
    t.app
        .store
        .insert_account(
            &mut tx,
            &bastion_store::auth::NewAccount {
                username: "commander2".into(),
                display_name: "副指挥长".into(),
                person_id: None,
                unit_id: root.unit_id,
                password_hash: hash,
                roles: vec!["commander".into()],
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    bastion_store::commit(tx).await.unwrap();
    let c2 = t.login("commander2").await;
    let r = c2.post(t.url(&format!("/api/recall/{id}/approve"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let b = board(&c2, &t.base, id).await;
    assert_eq!(b["order"]["status"], "active");
    assert_eq!(b["order"]["approver"], "副指挥长");
    let r = c2.post(t.url(&format!("/api/recall/{id}/approve"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "approved once only");
    // The duty officer may read and chase but not issue or approve.
    let duty = t.login("duty").await;
    let (s, _) = issue(&duty, &t, d13, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn escalation_waves_on_an_injected_clock(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let d13 = unit_id(&t, "D13").await;
    let (_, created) = issue(&c, &t, d13, json!({"waves": "1,2,3", "deadline_minutes": "5"})).await;
    let id = created["id"].as_i64().unwrap();
    let order = t.app.store.recall_order(OrderId(id)).await.unwrap();
    let sent = order.sent_at.unwrap();
    // One person acknowledges before the waves.
    let (token, acked) = link_of(&t, id, 0).await;
    t.client().post(t.url(&format!("/r/{token}"))).form(&[("action", "ack")]).send().await.unwrap();

    t.app.recall_tick(sent + 30_000).await.unwrap();
    assert_eq!(t.app.store.recall_order(OrderId(id)).await.unwrap().waves_done, 0, "nothing due yet");
    t.app.recall_tick(sent + 61_000).await.unwrap();
    let after1 = t.app.store.recall_order(OrderId(id)).await.unwrap();
    assert_eq!(after1.waves_done, 1);
    let reminded = t.app.store.recall_target(OrderId(id), acked).await.unwrap();
    assert_eq!(reminded.reminders, 0, "the acknowledged are not reminded");
    let b = board(&c, &t.base, id).await;
    let unanswered = b["missing"].as_array().unwrap().iter().filter(|m| m["state"] != "acked").count();
    assert!(unanswered > 0);
    assert!(b["missing"].as_array().unwrap().iter().filter(|m| m["state"] != "acked").all(|m| m["reminders"] == 1));
    // The same tick again does nothing more (each wave once).
    t.app.recall_tick(sent + 62_000).await.unwrap();
    let b = board(&c, &t.base, id).await;
    assert_eq!(b["notices"].as_array().unwrap().len(), 1);
    t.app.recall_tick(sent + 121_000).await.unwrap();
    let b = board(&c, &t.base, id).await;
    assert!(b["notices"][0]["audience"] == "单位负责人", "{}", b["notices"]);
    t.app.recall_tick(sent + 181_000).await.unwrap();
    let b = board(&c, &t.base, id).await;
    assert_eq!(b["notices"][0]["audience"], "指挥部");
    assert_eq!(b["order"]["waves_done"], 3);
    // Past the deadline the unanswered become 未响应; the acknowledged stay acknowledged.
    t.app.recall_tick(sent + 6 * 60_000).await.unwrap();
    let b = board(&c, &t.base, id).await;
    assert_eq!(b["tally"]["no_response"].as_i64().unwrap() as usize, unanswered);
    assert_eq!(b["tally"]["acked"], 1);
    // A late answer still counts.
    let (token, _) = link_of(&t, id, 1).await;
    let r = t.client().post(t.url(&format!("/r/{token}"))).form(&[("action", "arrive")]).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("到岗报到成功"));
    counts_agree(&t, id).await;
}

async fn board_stream_across_nodes(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let d13 = unit_id(&t, "D13").await;
    let (_, created) = issue(&c, &t, d13, json!({})).await;
    let id = created["id"].as_i64().unwrap();
    // On PostgreSQL the board is watched on a second node and the answer arrives at the first.
    let node = match backend {
        Backend::Postgres => Some(t.spawn_node().await),
        Backend::Sqlite => None,
    };
    let base = node.as_ref().map(|n| n.base.clone()).unwrap_or_else(|| t.base.clone());
    let watcher = t.login_at(&base, "commander").await;
    let mut stream = watcher.get(format!("{base}/recall/{id}/events")).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(stream.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    // Give the subscription a moment to exist, then answer on the first node.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (token, _) = link_of(&t, id, 0).await;
    let started = Instant::now();
    t.client().post(t.url(&format!("/r/{token}"))).form(&[("action", "arrive")]).send().await.unwrap();
    let mut got = String::new();
    while !got.contains("event: board") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), stream.chunk()).await;
        match chunk {
            Ok(Ok(Some(bytes))) => got.push_str(&String::from_utf8_lossy(&bytes)),
            other => panic!("no board event within 5 s: {other:?}; got {got:?}"),
        }
    }
    assert!(started.elapsed() < Duration::from_secs(2), "board updated within 2 s ({:?})", started.elapsed());
    assert!(got.contains("\"accounted\":") && got.contains("到岗"), "{got}");
    // Someone without the permission cannot watch.
    let officer = t.login("officer").await;
    let r = officer.get(t.url(&format!("/recall/{id}/events"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// A small deterministic generator (the tests must replay exactly).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn any_event(r: &mut Lcg) -> Event {
    match r.next(6) {
        0 => Event::Deliver,
        1 | 2 => Event::Ack,
        3 => Event::Arrive,
        4 => Event::Exempt(if r.next(2) == 0 { ExemptReason::Sick } else { ExemptReason::Quarantine }),
        _ => Event::Expire,
    }
}

/// Batches of answers written by the store (one conditional multi-row UPDATE per batch, a person
/// several times in one batch included) end exactly where the state machine says, one history row
/// per change, each change starting where the previous one ended, and the board adds up.
async fn batched_answers_follow_the_state_machine(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let d13 = unit_id(&t, "D13").await;
    // Three orders to the same people, answered in mixed batches.
    let mut initial: HashMap<(i64, i64), RecallState> = HashMap::new();
    let mut orders = Vec::new();
    for _ in 0..3 {
        let (s, created) = issue(&c, &t, d13, json!({})).await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        let id = OrderId(created["id"].as_i64().unwrap());
        for p in t.app.store.recall_missing(id, None, 1000, 0).await.unwrap() {
            initial.insert((id.0, p.person_id.0), p.state);
        }
        orders.push(id);
    }
    let mut model = initial.clone();
    let mut keys: Vec<(i64, i64)> = model.keys().copied().collect();
    keys.sort_unstable();
    let mut before = 0;
    for o in &orders {
        before += events_count(&t, o.0).await;
    }
    let mut r = Lcg(7);
    let mut changes = 0;
    for batch in 0..40 {
        let items: Vec<Transition> = (0..1 + r.next(40))
            .map(|_| {
                let (o, p) = keys[r.next(keys.len())];
                Transition {
                    order: OrderId(o),
                    person: PersonId(p),
                    event: any_event(&mut r),
                    via: "desk",
                    actor: format!("A{batch}"),
                    location: (r.next(3) == 0).then(|| "东卡点".to_string()),
                }
            })
            .collect();
        let mut tx = t.app.store.begin().await.unwrap();
        let out = t.app.store.apply_recall_transitions(&mut tx, &items).await.unwrap();
        bastion_store::commit(tx).await.unwrap();
        for (it, got) in items.iter().zip(&out) {
            let key = (it.order.0, it.person.0);
            let from = model[&key];
            let want = match from.next(it.event) {
                Err(e) => Applied::Refused(e.0.to_string()),
                Ok(None) => Applied::Unchanged(from),
                Ok(Some(to)) => {
                    model.insert(key, to);
                    changes += 1;
                    Applied::Changed { from, to }
                }
            };
            assert_eq!(got, &want, "batch {batch}: {it:?}");
        }
        for (o, p) in &keys {
            let row = t.app.store.recall_target(OrderId(*o), PersonId(*p)).await.unwrap();
            assert_eq!(row.state, model[&(*o, *p)], "batch {batch}, order {o}, person {p}");
        }
    }
    assert!(changes > 50, "the generator must move people ({changes})");
    let mut after = 0;
    for o in &orders {
        after += events_count(&t, o.0).await;
    }
    assert_eq!(after - before, changes, "one history row per change");
    // Each person's history is a chain: every change starts where the previous one ended.
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT order_id, person_id, from_state, to_state FROM recall_events WHERE order_id IN ($1, $2, $3) \
         ORDER BY order_id, person_id, id",
    )
    .bind(orders[0].0)
    .bind(orders[1].0)
    .bind(orders[2].0)
    .fetch_all(t.app.store.reader())
    .await
    .unwrap();
    let mut last: HashMap<(i64, i64), String> = HashMap::new();
    for row in rows {
        let key: (i64, i64) = (row.get("order_id"), row.get("person_id"));
        let (from, to): (String, String) = (row.get("from_state"), row.get("to_state"));
        if let Some(prev) = last.get(&key) {
            assert_eq!(prev, &from, "{key:?}: history breaks");
        }
        last.insert(key, to);
    }
    for (k, s) in &model {
        assert_eq!(last.get(k).map(String::as_str).unwrap_or(initial[k].code()), s.code(), "{k:?}");
    }
    for o in &orders {
        let b = board(&c, &t.base, o.0).await;
        let sum: i64 = b["tally"].as_object().unwrap().values().map(|v| v.as_i64().unwrap()).sum();
        let people = model.keys().filter(|k| k.0 == o.0).count() as i64;
        assert_eq!(sum, people, "totals add up: {b}");
        let on_post = model.iter().filter(|(k, s)| k.0 == o.0 && **s == RecallState::OnPost).count() as i64;
        assert_eq!(b["tally"]["on_post"], on_post);
        counts_agree(&t, o.0).await;
    }
}

/// Two writers answering for the same people at once (PostgreSQL runs several writers; SQLite has
/// one, so there the second simply follows the first): the second batch read the states before
/// the first committed, finds them moved, and re-applies its answers on the new states.
async fn concurrent_writers_do_not_lose_a_change(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let d13 = unit_id(&t, "D13").await;
    let (s, created) = issue(&c, &t, d13, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = OrderId(created["id"].as_i64().unwrap());
    let people: Vec<PersonId> = t
        .app
        .store
        .recall_missing(id, None, 1000, 0)
        .await
        .unwrap()
        .iter()
        .filter(|p| p.state == RecallState::Pending)
        .map(|p| p.person_id)
        .collect();
    assert!(people.len() >= 3, "D13 has people to recall");
    let tr = |p: PersonId, event: Event, actor: &str| Transition {
        order: id,
        person: p,
        event,
        via: "desk",
        actor: actor.into(),
        location: None,
    };
    let first: Vec<Transition> = people.iter().map(|p| tr(*p, Event::Ack, "一号")).collect();
    let second: Vec<Transition> = people.iter().map(|p| tr(*p, Event::Arrive, "二号")).collect();
    let before = events_count(&t, id.0).await;
    let store = t.app.store.clone();
    let mut tx1 = store.begin().await.unwrap();
    let out1 = store.apply_recall_transitions(&mut tx1, &first).await.unwrap();
    let overlap = backend == Backend::Postgres;
    let second_writer = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut tx2 = store.begin().await.unwrap();
            let out = store.apply_recall_transitions(&mut tx2, &second).await.unwrap();
            bastion_store::commit(tx2).await.unwrap();
            out
        })
    };
    if overlap {
        // The second writer has read the old states and now waits on the first's row locks.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    bastion_store::commit(tx1).await.unwrap();
    let out2 = second_writer.await.unwrap();
    for (a, b) in out1.iter().zip(&out2) {
        assert_eq!(a, &Applied::Changed { from: RecallState::Pending, to: RecallState::Acked });
        assert_eq!(
            b,
            &Applied::Changed { from: RecallState::Acked, to: RecallState::OnPost },
            "judged on the new state"
        );
    }
    for p in &people {
        let row = store.recall_target(id, *p).await.unwrap();
        assert_eq!(row.state, RecallState::OnPost);
        assert!(row.acked_at.is_some() && row.on_post_at.is_some(), "both steps stamped");
        assert_eq!(row.updated_by, "二号");
    }
    assert_eq!(events_count(&t, id.0).await, before + 2 * people.len() as i64);
    counts_agree(&t, id.0).await;
}

/// A branch secretary (scope: 城关派出所 and below) opening an order that recalled only 督察大队
/// is told it is outside their scope — never a board reading 0/0 "nobody missing" — and its
/// missing list and reminders are refused; an order that reaches both units shows only their
/// part, and reminding everyone is left to the HQ. The commander sees the whole order.
async fn an_order_outside_the_viewers_scope_is_refused_not_shown_empty(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let boss = t.login("commander").await;
    let secretary = t.login("secretary").await;
    let (s, created) = issue(&boss, &t, unit_id(&t, "D13").await, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    let total = |b: &Value| -> i64 {
        ["pending", "delivered", "acked", "on_post", "exempt", "no_response"]
            .iter()
            .map(|k| b["tally"][k].as_i64().unwrap())
            .sum()
    };
    let whole = board(&boss, &t.base, id).await;
    assert!(total(&whole) > 0, "{whole}");
    for path in [format!("/api/recall/{id}"), format!("/api/recall/{id}/missing/export")] {
        let r = secretary.get(t.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        let body: Value = r.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().contains("不在您的管辖范围内"), "{path}: {body}");
    }
    let page = secretary.get(t.url(&format!("/recall/{id}"))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let html = page.text().await.unwrap();
    assert!(html.contains("不在您的管辖范围内") && !html.contains("无人缺席"), "{html}");
    let r = secretary.post(t.url(&format!("/api/recall/{id}/remind"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // An order over both units: the secretary sees their part only, and may not remind all.
    let both = format!("{},{}", unit_id(&t, "D13").await, unit_id(&t, "S01").await);
    let (s, all) = issue(&boss, &t, 0, json!({"unit_ids": both})).await;
    assert_eq!(s, StatusCode::CREATED, "{all}");
    let all = all["id"].as_i64().unwrap();
    let mine = board(&secretary, &t.base, all).await;
    let theirs = board(&boss, &t.base, all).await;
    let (part, whole) = (total(&mine), total(&theirs));
    assert!(part > 0 && part < whole, "{part} of {whole}");
    let r = secretary.post(t.url(&format!("/api/recall/{all}/remind"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = boss.post(t.url(&format!("/api/recall/{all}/remind"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the commander reminds the whole order");
}

both_backends!(
    an_order_outside_the_viewers_scope_is_refused_not_shown_empty,
    batched_answers_follow_the_state_machine,
    concurrent_writers_do_not_lose_a_change,
    order_lifecycle_and_links,
    approval_needs_a_second_commander,
    escalation_waves_on_an_injected_clock,
    board_stream_across_nodes
);
