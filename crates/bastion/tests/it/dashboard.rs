//! The command dashboard on both backends: its figures follow what is put in (a registration
//! moves today's count by one, at once in the JSON and over the live feed); a section the viewer
//! may not see is marked, never a row of zeros.

use std::time::Duration;

use bastion_testkit::{both_backends, spawn_app, Backend};
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::Value;

use super::checkpoint::{body, checkpoint_named, uuid};

pub(super) fn figure(sections: &Value, feature: &str, label: &str) -> Option<String> {
    sections.as_array().unwrap().iter().find(|s| s["feature"] == feature)?["figures"]
        .as_array()?
        .iter()
        .find(|f| f["label"] == label)
        .map(|f| f["value"].as_str().unwrap().to_string())
}

pub(super) fn num(v: &str) -> i64 {
    v.replace(',', "").parse().unwrap()
}

async fn figures_follow_the_input_live(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let boss = t.login("commander").await;
    let gate = t.login("checkpoint").await;
    let cp = checkpoint_named(&t, &gate, "G319").await;
    let before: Value = boss.get(t.url("/api/dashboard")).send().await.unwrap().json().await.unwrap();
    let n = num(&figure(&before, "checkpoint", "今日登记（人次）").expect("today's count"));
    assert!(figure(&before, "org", "全局人数").is_some_and(|v| v == "956"), "{before}");
    assert!(figure(&before, "inspection", "待整改问题").is_some());
    assert_eq!(figure(&before, "party", "党员总数").as_deref(), Some("457"), "the demo bureau's members");
    assert_eq!(figure(&before, "party", "党员突击队").as_deref(), Some("6"));

    // The live feed, open before the registration.
    let resp = boss.get(t.url("/dashboard/live")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let mut stream = resp.bytes_stream();
    let (s, _) = {
        let r = gate.post(t.url("/api/checkpoints/registrations")).json(&body(cp, &uuid())).send().await.unwrap();
        (r.status(), ())
    };
    assert!(s.is_success(), "{s}");
    let after: Value = boss.get(t.url("/api/dashboard")).send().await.unwrap().json().await.unwrap();
    assert_eq!(num(&figure(&after, "checkpoint", "今日登记（人次）").unwrap()), n + 1);
    let want = format!(
        "<span class=\"num\">{}</span><span class=\"lbl\">今日登记（人次）</span>",
        bastion_app::dashboard::grouped(n + 1)
    );
    let mut seen = String::new();
    let got = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(chunk)) = stream.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains("event: sections") && seen.contains(&want) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(got, Ok(true), "the live feed carries the new count: {seen:.600}");
}

async fn what_the_viewer_may_not_see_is_marked(backend: Backend) {
    let t = spawn_app(backend, true).await;
    // The security admin reads no people: their dashboard marks the section.
    let secadmin = t.login("secadmin").await;
    let sections: Value = secadmin.get(t.url("/api/dashboard")).send().await.unwrap().json().await.unwrap();
    let org = sections.as_array().unwrap().iter().find(|s| s["feature"] == "org").unwrap();
    assert!(org["figures"].is_null(), "no headcount for the security admin: {org}");
    let html = secadmin.get(t.url("/dashboard")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("本项不在您的权限范围内") && !html.contains("全局人数"), "{html:.300}");
    // The secretary's headcount is their scope's, named so.
    let sec = t.login("secretary").await;
    let sections: Value = sec.get(t.url("/api/dashboard")).send().await.unwrap().json().await.unwrap();
    let mine = num(&figure(&sections, "org", "管辖范围内人数").expect("scoped headcount"));
    assert!(mine > 0 && mine < 956);
    let screen = sec.get(t.url("/dashboard?screen=1")).send().await.unwrap().text().await.unwrap();
    assert!(screen.contains("dash-stage") && screen.contains("管辖范围内人数"));
}

async fn trends_match_the_counts_and_the_reports(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let boss = t.login("commander").await;
    let gate = t.login("checkpoint").await;
    let cp = checkpoint_named(&t, &gate, "G319").await;
    let r = gate.post(t.url("/api/checkpoints/registrations")).json(&body(cp, &uuid())).send().await.unwrap();
    assert!(r.status().is_success());
    // Today's report freezes the people on post; the trend reads it back.
    let today = bastion_core::time::today().to_string();
    let r = boss.post(t.url("/api/reports")).json(&serde_json::json!({"day": today})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let dash: Value = boss.get(t.url("/api/dashboard")).send().await.unwrap().json().await.unwrap();
    let tr: Value = boss.get(t.url("/api/dashboard/trends")).send().await.unwrap().json().await.unwrap();
    let days = tr["days"].as_array().unwrap();
    assert_eq!(days.last().unwrap(), &Value::String(today.clone()), "{tr}");
    let last = |name: &str| {
        tr["series"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("{name}: {tr}"))
            ["values"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_f64()
            .unwrap() as i64
    };
    assert_eq!(last("卡点登记（人次）"), num(&figure(&dash, "checkpoint", "今日登记（人次）").unwrap()));
    assert_eq!(last("发热（人）"), num(&figure(&dash, "checkpoint", "今日发热").unwrap()));
    assert_eq!(last("在岗人数"), num(&figure(&dash, "org", "在岗").unwrap()));
    // The page carries the data for the charts and the bundled ECharts, nothing from outside.
    let html = boss.get(t.url("/dashboard")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"dash-trends\"") && html.contains("/assets/vendor/echarts.min."), "{html:.300}");
    // Who reads no checkpoints sees the trend named as refused, not a line of zeros.
    let editor = t.login("editor").await;
    let r = editor.get(t.url("/api/dashboard/trends")).send().await.unwrap();
    if r.status() == StatusCode::OK {
        let tr: Value = r.json().await.unwrap();
        assert!(tr["refused"].as_array().unwrap().iter().any(|x| x == "卡点登记与发热"), "{tr}");
        assert!(!tr.to_string().contains("卡点登记（人次）"));
    } else {
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
}

/// The duty section's schematic: one place per post in the viewer's scope, coloured by its state;
/// a fever case opened at a checkpoint turns that checkpoint's post to "action needed", with the
/// count of its open cases (no name), on the schematic and on the post's board.
async fn the_schematic_shows_each_post_and_an_open_fever_case(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let boss = t.login("commander").await;
    let gate = t.login("checkpoint").await;
    let cp = checkpoint_named(&t, &gate, "G319").await;
    super::report::register(&t, &gate, cp, true).await;
    let dash: Value = boss.get(t.url("/api/dashboard")).send().await.unwrap().json().await.unwrap();
    let duty = dash.as_array().unwrap().iter().find(|s| s["feature"] == "duty").unwrap();
    let tiles = duty["tiles"].as_array().unwrap();
    let posts: Value = boss.get(t.url("/api/duty/posts")).send().await.unwrap().json().await.unwrap();
    let posts = posts.as_array().unwrap();
    assert_eq!(tiles.len(), posts.len(), "one place per post");
    for tile in tiles {
        let state = tile["state"].as_str().unwrap();
        assert!(["ok", "short", "alert", "idle"].contains(&state), "{tile}");
        let row = duty["rows"].as_array().unwrap().iter().find(|r| r["name"] == tile["name"]).unwrap();
        let (p, r) = row["cells"][1].as_str().unwrap().split_once('/').unwrap();
        let (p, r): (i64, i64) = (p.parse().unwrap(), r.parse().unwrap());
        match state {
            "ok" => assert!(r > 0 && p >= r, "{tile} {row}"),
            "short" => assert!(p < r, "{tile} {row}"),
            "idle" => assert_eq!(r, 0, "{tile} {row}"),
            _ => {}
        }
    }
    // The G319 post: its open fever cases counted from the cases list.
    let post = posts.iter().find(|p| p["checkpoint_id"] == cp).expect("the G319 post");
    let cases: Value = boss.get(t.url("/api/checkpoints/fever-cases")).send().await.unwrap().json().await.unwrap();
    let open =
        cases.as_array().unwrap().iter().filter(|c| c["checkpoint_id"] == cp && c["closed_at"].is_null()).count();
    assert!(open >= 1);
    let tile = tiles.iter().find(|x| x["name"] == post["name"]).unwrap();
    assert_eq!(tile["state"], "alert", "{tile}");
    let said = format!("发热病例待处置 {open} 例");
    assert!(tile["lines"].as_array().unwrap().iter().any(|l| l == said.as_str()), "{tile}");
    assert!(!tile.to_string().contains("林晓风"), "no traveller named");
    let board: Value =
        boss.get(t.url(&format!("/api/duty/posts/{}/board", post["id"]))).send().await.unwrap().json().await.unwrap();
    let tag = board["tags"].as_array().unwrap().iter().find(|x| x["alert"] == true).expect("an alert tag");
    assert_eq!(tag["label"], said.as_str());
    let html = boss.get(t.url("/dashboard")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("data-testid=\"post-map\"") && html.contains("dash-tile alert"), "drawn on the page");
}

/// The kept head counts equal a count of the people themselves, bureau-wide and for one station.
async fn head_counts_agree(t: &bastion_testkit::TestApp, station: &str) {
    use bastion_store::org::RowScope;
    for scope in [RowScope::All, RowScope::Subtrees(vec![station.to_string()])] {
        let kept = t.app.store.people_counts(&scope).await.unwrap();
        let counted = t.app.store.people_counts_scanned(&scope).await.unwrap();
        assert_eq!(format!("{kept:?}"), format!("{counted:?}"), "{scope:?}");
    }
}

async fn head_counts_follow_every_change_of_a_person(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let boss = t.login("commander").await;
    let units = t.app.store.units().await.unwrap();
    let root = units.iter().find(|u| u.parent_id.is_none()).unwrap();
    let stations: Vec<_> = units.iter().filter(|u| u.parent_id == Some(root.id)).collect();
    let (a, b) = (stations[0], stations[1]);
    head_counts_agree(&t, &a.path).await;
    let on_duty = |v: &Value| num(&figure(v, "org", "在岗").unwrap());
    let before: Value = boss.get(t.url("/api/dashboard")).send().await.unwrap().json().await.unwrap();
    let ctx = bastion_app::Ctx::cli(root.id);
    let input = |unit: &bastion_store::org::Unit, category: &str, duty: &str| bastion_app::org::PersonInput {
        police_no: "770001".into(),
        name: "岳知秋".into(),
        category: category.into(),
        unit_id: unit.id.0.to_string(),
        duty_status: duty.into(),
        id_number: bastion_testkit::test_id_number(770_001),
        ..Default::default()
    };
    let id = t.app.create_person(&ctx, &input(a, "民警", "在岗")).await.unwrap();
    head_counts_agree(&t, &a.path).await;
    let after: Value = boss.get(t.url("/api/dashboard")).send().await.unwrap().json().await.unwrap();
    assert_eq!(on_duty(&after), on_duty(&before) + 1, "a new officer on duty shows at once");
    // Moved to another station, made an auxiliary, on leave.
    t.app.update_person(&ctx, id, &input(b, "辅警", "休假")).await.unwrap();
    head_counts_agree(&t, &a.path).await;
    head_counts_agree(&t, &b.path).await;
    let after: Value = boss.get(t.url("/api/dashboard")).send().await.unwrap().json().await.unwrap();
    assert_eq!(on_duty(&after), on_duty(&before));
    // Disabled and enabled again; a status written by another path (the party pipeline's kind).
    t.app.set_person_enabled(&ctx, id, false).await.unwrap();
    head_counts_agree(&t, &b.path).await;
    t.app.set_person_enabled(&ctx, id, true).await.unwrap();
    sqlx::query("UPDATE people SET political_status = 'member' WHERE id = $1")
        .bind(id.0)
        .execute(t.app.store.reader())
        .await
        .unwrap();
    head_counts_agree(&t, &b.path).await;
    sqlx::query("DELETE FROM people WHERE id = $1").bind(id.0).execute(t.app.store.reader()).await.unwrap();
    head_counts_agree(&t, &b.path).await;
}

/// The kept head counts per post, day and shift equal a count of the assignments themselves.
async fn shift_counts_agree(store: &bastion_store::Store) {
    let mut scanned: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(
        "SELECT post_id, day, shift, COUNT(*), \
         SUM(CASE WHEN signed_in_at IS NOT NULL AND signed_out_at IS NULL THEN 1 ELSE 0 END) \
         FROM duty_assignments GROUP BY post_id, day, shift",
    )
    .fetch_all(store.reader())
    .await
    .unwrap();
    scanned.sort();
    let mut kept: Vec<_> = store
        .shift_counts_of_days("0000-01-01", "9999-12-31")
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.post_id.0, c.day, c.shift, c.rostered, c.present))
        .collect();
    kept.sort();
    assert_eq!(kept, scanned);
}

/// After every change of an assignment (made, signed in, signed out, moved to another shift,
/// removed as a roster's publication does) the kept per-shift head counts equal the assignments,
/// and the dashboard's 在岗/应到 follows a shift running now.
async fn shift_counts_follow_every_assignment(backend: Backend) {
    use bastion_core::duty::{PostKind, ShiftDef};
    use bastion_store::duty::{NewAssignment, NewPost};
    let t = spawn_app(backend, true).await;
    let store = &t.app.store;
    let boss = t.login("commander").await;
    shift_counts_agree(store).await;
    let on_post = |v: &Value| {
        let f = figure(v, "duty", "在岗/应到").unwrap();
        let (p, r) = f.split_once('/').unwrap();
        (num(p), num(r))
    };
    let before: Value = boss.get(t.url("/api/dashboard")).send().await.unwrap().json().await.unwrap();
    // A shift that began ten minutes ago and runs eight hours, Beijing time.
    let now = bastion_core::time::now_ms();
    let start = jiff::Timestamp::from_millisecond(now - 10 * 60_000).unwrap().to_zoned(bastion_core::time::beijing());
    let begin = (start.hour() as u16) * 60 + start.minute() as u16;
    let shift = ShiftDef { name: "核对班".into(), start: begin, end: (begin + 480) % 1440, required: 2 };
    let (starts_at, ends_at) = shift.span(start.date());
    let unit = store.units().await.unwrap()[0].id;
    let person: i64 =
        sqlx::query_scalar("SELECT id FROM people ORDER BY id LIMIT 1").fetch_one(store.reader()).await.unwrap();
    let person = bastion_store::org::PersonId(person);
    let mut tx = store.begin().await.unwrap();
    let post = NewPost {
        name: "计数核对岗".into(),
        kind: PostKind::Patrol,
        unit_id: unit,
        checkpoint_id: None,
        shifts: vec![shift.clone()],
        min_sworn: 0,
        min_party: 0,
        skill: None,
    };
    let post = store.insert_post(&mut tx, &post).await.unwrap();
    let a = NewAssignment {
        post_id: post,
        person_id: person,
        day: start.date().to_string(),
        shift: shift.name.clone(),
        starts_at,
        ends_at,
        override_reason: None,
        created_by: "test".into(),
    };
    let id = store.insert_assignment(&mut tx, &a).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    shift_counts_agree(store).await;
    let dash = |c: &reqwest::Client| {
        let r = c.get(t.url("/api/dashboard"));
        async move { r.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let (p0, r0) = on_post(&before);
    assert_eq!(on_post(&dash(&boss).await), (p0, r0 + 2), "the new shift's two places are required now");
    for step in ["in", "out"] {
        let mut tx = store.begin().await.unwrap();
        let done = if step == "in" {
            store.sign_in(&mut tx, id, now, "test").await.unwrap()
        } else {
            store.sign_out(&mut tx, id, now, "test").await.unwrap()
        };
        bastion_store::commit(tx).await.unwrap();
        assert!(done, "signed {step}");
        shift_counts_agree(store).await;
        let present = if step == "in" { p0 + 1 } else { p0 };
        assert_eq!(on_post(&dash(&boss).await), (present, r0 + 2), "after signing {step}");
    }
    sqlx::query("UPDATE duty_assignments SET shift = '另一班' WHERE id = $1")
        .bind(id.0)
        .execute(store.reader())
        .await
        .unwrap();
    shift_counts_agree(store).await;
    sqlx::query("DELETE FROM duty_assignments WHERE id = $1").bind(id.0).execute(store.reader()).await.unwrap();
    shift_counts_agree(store).await;
}

both_backends!(
    shift_counts_follow_every_assignment,
    head_counts_follow_every_change_of_a_person,
    the_schematic_shows_each_post_and_an_open_fever_case,
    figures_follow_the_input_live,
    what_the_viewer_may_not_see_is_marked,
    trends_match_the_counts_and_the_reports
);
