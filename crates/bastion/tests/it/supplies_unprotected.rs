//! Nobody on post unprotected, on both backends: the people rostered on a running or imminent
//! shift without kit are listed for those who issue it and put on their to-do; the groups are
//! told once, through a real local receiver, with the count and no names; the issue desk and the
//! post's duty board mark them; issuing the kit takes the person off the list and the marks; the
//! lead time is the supplies officer's to set, and a bad value is refused naming the field. Kit
//! within 30 days of its expiry date is told to the groups once per batch.

use bastion_testkit::{both_backends, eventually, spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::inspection::bot;
use super::supplies::{get, item_coded, post_json, store_named, SIGNED};

async fn rostered_without_kit_are_told_once_and_cleared_by_issuing(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let sup = t.login("supplies").await;
    let (base, b) = bot().await;
    let boss = t.login("commander").await;
    let (s, v) = post_json(
        &boss,
        &t,
        "/api/notify/channels",
        json!({"kind": "wecom", "name": "指挥部群", "url": format!("{base}/wecom?key=k"), "min_interval_ms": 0}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // The demo's running shift at 城关派出所 has its officer on it with no kit issued.
    let (s, u) = get(&sup, t.url("/api/supplies/unprotected")).await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert_eq!(u["checked"], true, "{u}");
    let shifts = u["shifts"].as_array().unwrap().clone();
    assert!(!shifts.is_empty(), "someone rostered without kit: {u}");
    // The server's job told of these at start-up, before any channel existed. Widen the lead time
    // to twelve hours: the shifts that now come into it are told of once (by the job or by this
    // call, whichever runs first), as a count per post and shift, never a name.
    let key = |s: &Value, p: &Value| format!("{}|{}|{}|{}", s["post_id"], s["day"], s["shift"], p["person_id"]);
    let before: Vec<String> =
        shifts.iter().flat_map(|s| s["people"].as_array().unwrap().iter().map(|p| key(s, p))).collect();
    // One more shift for someone already listed, starting between the lead time and twelve hours
    // from now, so a shift comes into the wider window at any time of day (the demo rosters today
    // only: late in the evening its last shifts are already within the lead time).
    let lead = u["lead_minutes"].as_i64().unwrap();
    let now = bastion_core::time::now_ms();
    let today = bastion_core::time::today();
    let (lo, hi) = (now + (lead + 10) * 60_000, now + 710 * 60_000);
    let mut posts = Vec::new();
    for s in &shifts {
        let id = bastion_store::duty::PostId(s["post_id"].as_i64().unwrap());
        posts.push((t.app.store.duty_post(id).await.unwrap(), s["people"][0]["person_id"].as_i64().unwrap()));
    }
    let (post, person, day, def) = posts
        .iter()
        .flat_map(|(p, who)| {
            [today, today.tomorrow().unwrap()]
                .into_iter()
                .flat_map(move |d| p.shifts.iter().map(move |s| (p, *who, d, s)))
        })
        .find(|(_, _, d, s)| (lo..hi).contains(&s.span(*d).0))
        .expect("a listed post has a shift starting within twelve hours");
    let (starts_at, ends_at) = def.span(day);
    let mut tx = t.app.store.begin().await.unwrap();
    let extra = bastion_store::duty::NewAssignment {
        post_id: post.id,
        person_id: bastion_store::org::PersonId(person),
        day: day.to_string(),
        shift: def.name.clone(),
        starts_at,
        ends_at,
        override_reason: None,
        created_by: "test".into(),
    };
    t.app.store.insert_assignment(&mut tx, &extra).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    let (s, v) = post_json(&sup, &t, "/api/supplies/unprotected/lead", json!({"minutes": "720"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, wide) = get(&sup, t.url("/api/supplies/unprotected")).await;
    assert_eq!(wide["lead_minutes"], 720);
    // Per (post, day, shift): how many of its people are new to the list.
    let mut fresh: Vec<(String, String, String, usize)> = Vec::new();
    for s in wide["shifts"].as_array().unwrap() {
        let n = s["people"].as_array().unwrap().iter().filter(|p| !before.contains(&key(s, p))).count();
        if n > 0 {
            let text = |f: &str| s[f].as_str().unwrap().to_string();
            fresh.push((text("post_name"), text("day"), text("shift"), n));
        }
    }
    assert!(!fresh.is_empty(), "a shift within twelve hours: {wide}");
    let now = bastion_core::time::now_ms();
    t.app.unprotected_clock(now).await.unwrap();
    assert_eq!(t.app.unprotected_clock(now + 60_000).await.unwrap(), 0, "each person is told of once");
    let ours = |x: &String| x.starts_with("【防护装备提醒】");
    eventually("the reminders at the bot", std::time::Duration::from_secs(20), || async {
        t.app.send_due(bastion_core::time::now_ms()).await.unwrap();
        (b.texts.lock().unwrap().iter().filter(|x| ours(x)).count() >= fresh.len()).then_some(())
    })
    .await;
    let texts: Vec<String> = b.texts.lock().unwrap().iter().filter(|x| ours(x)).cloned().collect();
    for (post, day, shift, n) in &fresh {
        let said = format!("有 {n} 人尚未签领防护装备");
        let told: Vec<&String> = texts.iter().filter(|x| x.contains(&format!("{post} {day} {shift}"))).collect();
        assert_eq!(told.len(), 1, "one message for {post} {day} {shift}: {texts:?}");
        assert!(told[0].contains(&said), "{post} {day} {shift} {n}: {texts:?}");
    }
    // A shift already on the list may have come into the first hour after the start-up run (the
    // clock does not stop while the test reads): it is told of once, like the rest.
    let at = |s: &Value| {
        let f = |k: &str| s[k].as_str().unwrap().to_string();
        format!("{} {} {}", f("post_name"), f("day"), f("shift"))
    };
    for x in &texts {
        let shift = wide["shifts"].as_array().unwrap().iter().map(at).find(|a| x.contains(a.as_str()));
        let shift = shift.unwrap_or_else(|| panic!("{x} is no shift on the list: {wide}"));
        assert_eq!(texts.iter().filter(|y| y.contains(&shift)).count(), 1, "one message per shift: {texts:?}");
    }
    let names: Vec<String> = wide["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["people"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()))
        .collect();
    for name in &names {
        assert!(texts.iter().all(|x| !x.contains(name.as_str())), "{name} named in {texts:?}");
    }
    // On the to-do of the station's leader, who issues kit there.
    let leader = t.login("secretary").await;
    let home = leader.get(t.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("人未签领防护装备") && home.contains("/supplies/unprotected"), "no to-do item");
    let (s, own) = get(&leader, t.url("/api/supplies/unprotected")).await;
    assert_eq!(s, StatusCode::OK, "{own}");
    let first = own["shifts"][0].clone();
    assert!(own["shifts"].as_array().unwrap().len() <= wide["shifts"].as_array().unwrap().len(), "scoped: {own}");
    let page = leader.get(t.url("/supplies/unprotected")).send().await.unwrap().text().await.unwrap();
    let person = &first["people"][0];
    assert!(page.contains(person["police_no"].as_str().unwrap()), "the page lists the person");

    // Issuing the kit for that shift clears the person.
    let person_id = person["person_id"].as_i64().unwrap();
    // The shift names the issue desk that serves its post, and the person is among its people.
    let (s, desk) = get(&sup, t.url(&format!("/api/supplies/posts/{}", first["store_id"]))).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert!(desk["people"].as_array().unwrap().iter().any(|x| x["id"] == person_id), "{first} at {desk}");
    let marked = |d: &Value| {
        d["without_kit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["people"].as_array().unwrap().iter().any(|p| p["person_id"] == person_id))
    };
    assert!(marked(&desk), "the desk marks the person: {}", desk["without_kit"]);
    let html =
        sup.get(t.url(&format!("/supplies/posts/{}", first["store_id"]))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("排班在岗未领装备"), "the desk page marks the person");
    // And the post's duty board marks them too.
    let board_url =
        t.url(&format!("/api/duty/posts/{}/board?day={}", first["post_id"], first["day"].as_str().unwrap()));
    let board_marks = |b: &Value| -> Vec<i64> {
        let ids: Vec<i64> = b["shifts"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["people"].as_array().unwrap().iter())
            .filter(|a| a["person_id"] == person_id)
            .map(|a| a["id"].as_i64().unwrap())
            .collect();
        b["marks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["label"] == "未领装备" && ids.contains(&m["assignment_id"].as_i64().unwrap()))
            .map(|m| m["assignment_id"].as_i64().unwrap())
            .collect()
    };
    let (s, board) = get(&leader, board_url.clone()).await;
    assert_eq!(s, StatusCode::OK, "{board}");
    assert!(!board_marks(&board).is_empty(), "the board marks the person: {}", board["marks"]);
    // And so does the duty roster: a version over the post's unit marks the person's cell that day.
    // A version starts after the day it is made; one made earlier covers the shift's day: move
    // this one back as if it had been.
    let tomorrow = bastion_core::time::today().checked_add(jiff::Span::new().days(1)).unwrap().to_string();
    let (s, made) = post_json(
        &boss,
        &t,
        "/api/duty/rosters",
        json!({"unit_id": board["post"]["unit_id"], "first_day": tomorrow, "days": 3, "seconds": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let day = first["day"].as_str().unwrap();
    sqlx::query("UPDATE duty_rosters SET first_day = $1, problem = REPLACE(problem, $2, $3) WHERE id = $4")
        .bind(day)
        .bind(format!("\"first_day\":\"{tomorrow}\""))
        .bind(format!("\"first_day\":\"{day}\""))
        .bind(made["id"].as_i64().unwrap())
        .execute(t.app.store.reader())
        .await
        .unwrap();
    let roster_url = |unit: &Value| t.url(&format!("/api/duty/rosters/{}?unit_id={unit}", made["id"]));
    let roster_marked = |v: &Value| {
        v["marks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["person_id"] == person_id && m["day"] == first["day"] && m["label"] == "未领装备")
    };
    let (_, view) = get(&boss, roster_url(&board["post"]["unit_id"])).await;
    let mut shown = None;
    for u in view["units"].as_array().unwrap() {
        let (s, v) = get(&boss, roster_url(&u[0])).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        if v["rows"].as_array().unwrap().iter().any(|r| r["person_id"] == person_id) {
            shown = Some(u[0].clone());
            assert!(roster_marked(&v), "the roster marks the person: {}", v["marks"]);
        }
    }
    let shown = shown.unwrap_or_else(|| panic!("the person is a row of the roster: {view}"));
    let page = boss
        .get(t.url(&format!("/duty/rosters/{}?unit_id={shown}", made["id"])))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"roster-marks\"") && page.contains("flagged"), "the grid page marks the cell");
    let items: Vec<Value> = desk["kit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| json!({"item_id": i["id"], "quantity": i["kit_per_shift"]}))
        .collect();
    let (s, v) = post_json(
        &sup,
        &t,
        "/api/supplies/issues",
        json!({"store_id": desk["store"]["id"], "shift_date": first["day"], "shift": first["shift"], "items": items,
               "people": [{"person_id": person_id, "signature": SIGNED}]}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, after) = get(&sup, t.url("/api/supplies/unprotected")).await;
    let still = after["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["people"].as_array().unwrap().iter())
        .any(|p| p["person_id"] == person_id);
    assert!(!still, "issued, so off the list: {after}");
    let (_, desk) = get(&sup, t.url(&format!("/api/supplies/posts/{}", first["store_id"]))).await;
    assert!(!marked(&desk), "and no longer marked at the desk");
    assert!(board_marks(&get(&leader, board_url).await.1).is_empty(), "nor on the board");
    assert!(!roster_marked(&get(&boss, roster_url(&shown)).await.1), "nor on the roster");

    // The lead time: the supplies officer's; a bad value names the field; an officer may not.
    let (s, v) = post_json(&sup, &t, "/api/supplies/unprotected/lead", json!({"minutes": "一小时"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v.to_string().contains("提前提醒分钟数"), "{v}");
    let (s, v) = post_json(&sup, &t, "/api/supplies/unprotected/lead", json!({"minutes": "721"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = post_json(&sup, &t, "/api/supplies/unprotected/lead", json!({"minutes": "30"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(get(&sup, t.url("/api/supplies/unprotected")).await.1["lead_minutes"], 30);
    let log = t.app.store.audit_records(None, None, 100, 0).await.unwrap().0;
    assert!(log.iter().any(|r| r.action == "设置未领装备提醒时间" && r.detail.contains("30")), "the change is audited");
    let officer = t.login("officer").await;
    let (s, _) = post_json(&officer, &t, "/api/supplies/unprotected/lead", json!({"minutes": "10"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = get(&officer, t.url("/api/supplies/unprotected")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn kit_close_to_expiry_is_told_once_per_batch(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let (base, b) = bot().await;
    let boss = t.login("commander").await;
    let channel =
        json!({"kind": "wecom", "name": "装备群", "url": format!("{base}/wecom?key=k"), "min_interval_ms": 0});
    assert_eq!(post_json(&boss, &t, "/api/notify/channels", channel).await.0, StatusCode::CREATED);
    let sup = t.login("supplies").await;
    let wh = store_named(&t, &sup, "局装备仓库").await;
    let n95 = item_coded(&t, &sup, "N95").await;
    let today = bastion_core::time::today();
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap().to_string();
    for (batch, expires) in [("临期-1", day(10)), ("远期-1", day(40))] {
        let receipt = json!({"store_id": wh, "item_id": n95, "quantity": 50, "batch": batch, "expires_on": expires,
                             "source": "purchase"});
        let (s, v) = post_json(&sup, &t, "/api/supplies/receipts", receipt).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let now = bastion_core::time::now_ms();
    t.app.expiry_clock(today, now).await.unwrap();
    assert_eq!(t.app.expiry_clock(today, now).await.unwrap(), 0, "each batch is told of once");
    let near = |x: &String| x.starts_with("【防护物资临期】") && x.contains("临期-1");
    eventually("the expiry warning at the bot", std::time::Duration::from_secs(20), || async {
        t.app.send_due(bastion_core::time::now_ms()).await.unwrap();
        b.texts.lock().unwrap().iter().any(near).then_some(())
    })
    .await;
    let texts = b.texts.lock().unwrap().clone();
    assert_eq!(texts.iter().filter(|x| near(x)).count(), 1, "{texts:?}");
    let text = texts.iter().find(|x| near(x)).unwrap();
    assert!(text.contains("局装备仓库") && text.contains("50只") && text.contains(&day(10)), "{text}");
    assert!(texts.iter().all(|x| !x.contains("远期-1")), "a batch 40 days from expiry is not warned of: {texts:?}");
}

both_backends!(rostered_without_kit_are_told_once_and_cleared_by_issuing, kit_close_to_expiry_is_told_once_per_batch);
