//! Inspections on both backends: a post's checklist opens pre-filled, a mismatch becomes a finding
//! with one tap, the same submission replayed from an offline queue is stored once (photos too);
//! the unit rectifies, the inspector sends it back or re-inspects and closes it; the deadline clock
//! reminds and escalates once each through a real local receiver without names; unannounced
//! plans stay with their inspectors; a circular counts what was recorded and is published by
//! someone other than its drafter; the statistics, read from day counters, equal a count over the
//! findings themselves.

use std::sync::{Arc, Mutex};

use axum::routing::post;
use axum::{Json, Router};
use bastion_testkit::{both_backends, eventually, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::recall::unit_id;

/// The post of the demo officer's unit (城关派出所), whose running shift has the officer on it,
/// not yet signed in.
async fn station_post(t: &TestApp, c: &reqwest::Client) -> (i64, Value) {
    let s01 = unit_id(t, "S01").await;
    let posts: Vec<Value> = c.get(t.url("/api/duty/posts")).send().await.unwrap().json().await.unwrap();
    let post = posts.iter().find(|p| p["unit_id"] == s01).expect("a post at 城关派出所").clone();
    let id = post["id"].as_i64().unwrap();
    let site: Value =
        c.get(t.url(&format!("/api/inspections/posts/{id}/on-site"))).send().await.unwrap().json().await.unwrap();
    (id, site)
}

fn answers(site: &Value, bad: usize) -> Vec<Value> {
    let n = site["template"]["items"].as_array().unwrap().len();
    (0..n)
        .map(|i| {
            if i == bad {
                json!({"result": "not_ok", "note": "一名辅警未戴口罩", "severity": "critical"})
            } else {
                json!({"result": "ok"})
            }
        })
        .collect()
}

async fn count(t: &TestApp, sql: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sql).fetch_one(t.app.store.reader()).await.unwrap().get::<i64, _>(0)
}

async fn inspect_rectify_reinspect_close(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let boss = t.login("commander").await;
    let (post, site) = station_post(&t, &boss).await;
    // Pre-filled: the officer is rostered now and not signed in; offered as a finding.
    let mismatch = site["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .find(|m| m.contains("未签到"))
        .unwrap_or_else(|| panic!("a mismatch: {site}"));
    assert!(site["rostered"].as_array().unwrap().iter().any(|r| r[3] == false), "{site}");
    // Nobody on the running shift has drawn kit in the demo: each is offered as a finding too.
    let kitless = site["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m.as_str().unwrap().contains("本班未签领防护装备"))
        .count();
    assert_eq!(kitless, site["rostered"].as_array().unwrap().len(), "{site}");

    let body = json!({
        "client_key": "phone-7f3a-0001",
        "post_id": post,
        "template_id": site["template"]["id"],
        "items": answers(&site, 1),
        "mismatches": [mismatch],
        "location": "GPS 31.80000,117.20000",
    });
    let r = boss.post(t.url("/api/inspections")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let done: Value = r.json().await.unwrap();
    assert_eq!((done["stored"].as_bool(), done["findings"].as_i64()), (Some(true), Some(2)));
    let id = done["id"].as_i64().unwrap();
    // The offline queue sends it again: nothing more is stored.
    let before = count(&t, "SELECT COUNT(*) FROM inspection_findings").await;
    let r = boss.post(t.url("/api/inspections")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["id"], id);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM inspection_findings").await, before);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM inspections WHERE client_key = 'phone-7f3a-0001'").await, 1);

    // A photo, sent twice, is stored once; its hash is in the audit chain. Not a picture: refused.
    let png = bastion_app::publicity::media::generated_cover(3);
    let upload = |bytes: Vec<u8>| {
        let form =
            reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("现场.png"));
        boss.post(t.url(&format!("/api/inspections/{id}/photos?source=camera"))).multipart(form).send()
    };
    let first: Value = upload(png.clone()).await.unwrap().json().await.unwrap();
    let again: Value = upload(png.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(first["id"], again["id"]);
    let r = upload(b"not a picture".to_vec()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("照片"));
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(&png));
    let (audit, _) = t.app.store.audit_records(Some("commander"), Some("inspection"), 20, 0).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "检查照片" && a.detail.contains(&sha) && a.detail.contains("现场拍摄")));

    // The unit (branch secretary) sees its findings; another unit's checkpoint lead does not.
    let sec = t.login("secretary").await;
    let detail: Value = sec.get(t.url(&format!("/api/inspections/{id}"))).send().await.unwrap().json().await.unwrap();
    let findings = detail["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    let critical = findings.iter().find(|f| f["severity"] == "critical").unwrap()["id"].as_i64().unwrap();
    let gate = t.login("checkpoint").await;
    assert_eq!(
        gate.get(t.url(&format!("/api/inspections/findings/{critical}"))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let r = gate
        .post(t.url(&format!("/api/inspections/findings/{critical}/rectify")))
        .json(&json!({"note": "已经整改完毕"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Closing before any rectification is refused with the rule.
    let r =
        boss.post(t.url(&format!("/api/inspections/findings/{critical}/close"))).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("还没有整改记录"));
    let r = sec
        .post(t.url(&format!("/api/inspections/findings/{critical}/rectify")))
        .json(&json!({"note": "已改"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("整改情况"));
    let step = |c: &reqwest::Client, what: &str, note: &str| {
        c.post(t.url(&format!("/api/inspections/findings/{critical}/{what}"))).json(&json!({ "note": note })).send()
    };
    assert_eq!(step(&sec, "rectify", "已配发手套并现场培训").await.unwrap().status(), StatusCode::OK);
    // Sent back with a reason, rectified again, re-inspected on site, closed.
    assert_eq!(step(&boss, "return", "").await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(step(&boss, "return", "复查时仍有人未戴口罩").await.unwrap().status(), StatusCode::OK);
    assert_eq!(step(&sec, "rectify", "班前逐人检查防护装备").await.unwrap().status(), StatusCode::OK);
    let follow = json!({
        "client_key": "phone-7f3a-0002",
        "post_id": post,
        "template_id": site["template"]["id"],
        "follows_finding": critical,
        "items": answers(&site, usize::MAX),
    });
    assert_eq!(boss.post(t.url("/api/inspections")).json(&follow).send().await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(step(&boss, "close", "复查合格").await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        step(&sec, "rectify", "再次整改").await.unwrap().status(),
        StatusCode::CONFLICT,
        "a closed finding stays closed"
    );
    let d: Value =
        boss.get(t.url(&format!("/api/inspections/findings/{critical}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(d["finding"]["status"], "closed");
    let kinds: Vec<&str> = d["actions"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["rectify", "return", "rectify", "close"]);
    assert_eq!(d["follow_ups"].as_array().unwrap().len(), 1, "the re-inspection links to the original");

    // Bad input: an unknown post, a deadline in the past, a wrong number of items.
    let mut bad = body.clone();
    bad["client_key"] = json!("phone-7f3a-0003");
    bad["post_id"] = json!(999999);
    let r = boss.post(t.url("/api/inspections")).json(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("岗位 999999 不存在"));
    let mut bad = body.clone();
    bad["client_key"] = json!("phone-7f3a-0004");
    bad["items"][1]["deadline"] = json!("2020-01-01");
    let r = boss.post(t.url("/api/inspections")).json(&bad).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("第 2 项的整改期限 2020-01-01 已过"));
    let mut bad = body.clone();
    bad["client_key"] = json!("phone-7f3a-0005");
    bad["items"] = json!([{"result": "ok"}]);
    let r = boss.post(t.url("/api/inspections")).json(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("提交了 1 项"));
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM inspections WHERE client_key LIKE 'phone-7f3a-000%'").await,
        2,
        "nothing half-written"
    );
}

#[derive(Clone, Default)]
pub(super) struct Bot {
    pub(super) texts: Arc<Mutex<Vec<String>>>,
}

pub(super) async fn bot() -> (String, Bot) {
    let b = Bot::default();
    let app = Router::new()
        .route(
            "/wecom",
            post(|axum::extract::State(b): axum::extract::State<Bot>, Json(v): Json<Value>| async move {
                b.texts.lock().unwrap().push(v["text"]["content"].as_str().unwrap_or_default().to_string());
                Json(json!({"errcode": 0, "errmsg": "ok"}))
            }),
        )
        .with_state(b.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, b)
}

async fn the_deadline_clock_reminds_then_escalates(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let (base, b) = bot().await;
    let boss = t.login("commander").await;
    let r = boss
        .post(t.url("/api/notify/channels"))
        .json(&json!({"kind": "wecom", "name": "指挥部群", "url": format!("{base}/wecom?key=k"), "min_interval_ms": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let (post, site) = station_post(&t, &boss).await;
    let body = json!({"client_key": "clock-test-0001", "post_id": post, "template_id": site["template"]["id"], "items": answers(&site, 0)});
    let done: Value = boss.post(t.url("/api/inspections")).json(&body).send().await.unwrap().json().await.unwrap();
    let detail: Value =
        boss.get(t.url(&format!("/api/inspections/{}", done["id"]))).send().await.unwrap().json().await.unwrap();
    let deadline = detail["findings"][0]["deadline_at"].as_i64().unwrap();
    let hour = 3_600_000;
    // The demo's own finding may fall due on this clock too: count this finding's messages.
    let ours = |x: &String| x.starts_with("【督导整改") && x.contains(site["post"]["name"].as_str().unwrap());
    let mine = |texts: &[String]| texts.iter().filter(|x| ours(x)).count();
    t.app.inspection_clock(deadline - 13 * hour).await.unwrap();
    t.app.inspection_clock(deadline - 11 * hour).await.unwrap();
    t.app.inspection_clock(deadline - 10 * hour).await.unwrap();
    t.app.inspection_clock(deadline + hour).await.unwrap();
    t.app.inspection_clock(deadline + 2 * hour).await.unwrap();
    eventually("two messages at the bot", std::time::Duration::from_secs(20), || async {
        t.app.send_due(bastion_core::time::now_ms()).await.unwrap();
        (mine(&b.texts.lock().unwrap()) >= 2).then_some(())
    })
    .await;
    let texts = b.texts.lock().unwrap().clone();
    let ours: Vec<&String> = texts.iter().filter(|x| ours(x)).collect();
    assert_eq!(ours.len(), 2, "one reminder, one escalation: {texts:?}");
    assert!(ours[0].starts_with("【督导整改提醒】") && ours[1].starts_with("【督导整改逾期】"), "{ours:?}");
    // No names in group messages: nobody rostered at the post is named.
    for r in site["rostered"].as_array().unwrap() {
        let name = r[0].as_str().unwrap();
        assert!(ours.iter().all(|x| !x.contains(name)), "{name} in {ours:?}");
    }
}

async fn plans_and_circulars(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let boss = t.login("commander").await;
    let posts: Vec<Value> = boss.get(t.url("/api/duty/posts")).send().await.unwrap().json().await.unwrap();
    let ids: Vec<i64> = posts.iter().map(|p| p["id"].as_i64().unwrap()).take(4).collect();
    let plan = |title: &str| json!({"title": title, "inspectors": "commander", "posts": ids, "unannounced": true});
    let mut routes = Vec::new();
    for title in ["夜查一", "夜查二", "夜查三"] {
        let r = boss.post(t.url("/api/inspections/plans")).json(&plan(title)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let listed: Vec<Value> = boss.get(t.url("/api/inspections/plans")).send().await.unwrap().json().await.unwrap();
        let p = listed.iter().find(|p| p["title"] == title).unwrap().clone();
        let mut route: Vec<i64> = p["route"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
        assert!(p["window_end"].as_i64().unwrap() - p["window_start"].as_i64().unwrap() == 2 * 3_600_000);
        if let Some(prev) = routes.last() {
            assert_ne!(&route, prev, "never the same order twice running");
        }
        routes.push(route.clone());
        route.sort_unstable();
        let mut want = ids.clone();
        want.sort_unstable();
        assert_eq!(route, want);
    }
    // Unannounced: hidden from a unit's secretary until carried out.
    let sec = t.login("secretary").await;
    let seen: Vec<Value> = sec.get(t.url("/api/inspections/plans")).send().await.unwrap().json().await.unwrap();
    assert!(seen.iter().all(|p| !p["title"].as_str().unwrap().starts_with("夜查")), "{seen:?}");
    let r = boss
        .post(t.url("/api/inspections/plans"))
        .json(&json!({"title": "x", "inspectors": "nobody", "posts": [999999]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text().await.unwrap();
    assert!(text.contains("计划名称") && text.contains("开始时间"), "{text}");

    // A circular drafted by the HQ desk counts what was recorded today; the commander publishes.
    let (post, site) = station_post(&t, &boss).await;
    for (i, bad) in [1usize, 2].iter().enumerate() {
        let body = json!({"client_key": format!("circular-test-{i:04}"), "post_id": post, "template_id": site["template"]["id"], "items": answers(&site, *bad)});
        assert_eq!(
            boss.post(t.url("/api/inspections")).json(&body).send().await.unwrap().status(),
            StatusCode::CREATED
        );
    }
    let today = bastion_core::time::today().to_string();
    let stats: Vec<Value> = boss
        .get(t.url(&format!("/api/inspections/stats?from={today}&to={today}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let inspections: i64 = stats.iter().map(|s| s["inspections"].as_i64().unwrap()).sum();
    let findings: i64 = stats.iter().map(|s| s["findings"].as_i64().unwrap()).sum();
    // Today is the Beijing day: the demo's finding (two hours old) belongs to yesterday just after midnight.
    let midnight = bastion_core::time::day_start_of(bastion_core::time::now_ms());
    let stored = count(&t, &format!("SELECT COUNT(*) FROM inspection_findings WHERE created_at >= {midnight}")).await;
    assert_eq!(findings, stored, "every finding of today is counted once");
    assert!(inspections >= 2);
    let desk = t.login("duty").await;
    let r =
        desk.post(t.url("/api/inspections/circulars")).json(&json!({"from": today, "to": today})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let list: Vec<Value> = desk.get(t.url("/api/inspections/circulars")).send().await.unwrap().json().await.unwrap();
    let c = list.iter().find(|c| c["id"] == id).unwrap();
    let body = c["body"].as_str().unwrap();
    assert!(body.contains(&format!("共检查岗位 {inspections} 次，发现问题 {findings} 个")), "{body}");
    assert!(c["doc_no"].as_str().unwrap().starts_with("督查通报〔"));
    assert!(
        sec.get(t.url("/api/inspections/circulars"))
            .send()
            .await
            .unwrap()
            .json::<Vec<Value>>()
            .await
            .unwrap()
            .is_empty(),
        "a draft is not shown to units"
    );
    assert_eq!(
        desk.post(t.url(&format!("/api/inspections/circulars/{id}/publish"))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        boss.post(t.url(&format!("/api/inspections/circulars/{id}/publish"))).send().await.unwrap().status(),
        StatusCode::OK
    );
    let published: Vec<Value> =
        sec.get(t.url("/api/inspections/circulars")).send().await.unwrap().json().await.unwrap();
    assert_eq!(published.len(), 1);
    // The unit reads the published circular as an official document: PDF and .docx.
    let r = sec.get(t.url(&format!("/api/inspections/circulars/{id}/export?format=pdf"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text: String = super::pdf::text(&r.bytes().await.unwrap()).split_whitespace().collect();
    let doc_no = c["doc_no"].as_str().unwrap();
    assert!(text.contains(doc_no) && text.contains("各派出所、各大队、指挥部各工作组"), "{text:.600}");
    assert!(text.contains(&format!("共检查岗位{inspections}次，发现问题{findings}个")), "{text:.600}");
    let r = sec.get(t.url(&format!("/api/inspections/circulars/{id}/export?format=docx"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    assert!(xml.contains(doc_no) && xml.contains("一、基本情况"), "{xml:.400}");
    let r = sec.get(t.url(&format!("/api/inspections/circulars/{id}/export?format=odt"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The commander's own draft needs another approver.
    let r =
        boss.post(t.url("/api/inspections/circulars")).json(&json!({"from": today, "to": today})).send().await.unwrap();
    let own = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = boss.post(t.url(&format!("/api/inspections/circulars/{own}/publish"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("起草人以外"));
}

/// The pages: the checklist works as a plain form (no script) with a photo; bad answers come back
/// named with what was typed kept; every page renders for the roles that may open it.
async fn the_pages_work_without_script(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let boss = t.login("commander").await;
    let (post, site) = station_post(&t, &boss).await;
    let html = boss.get(t.url(&format!("/inspections/posts/{post}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("排班在岗但未签到") && html.contains("name=\"result_0\""), "{html:.400}");
    let n = site["template"]["items"].as_array().unwrap().len();
    let form = |skip: Option<usize>, photo: bool| {
        let mut f = reqwest::multipart::Form::new()
            .text("client_key", "no-script-0001")
            .text("template_id", site["template"]["id"].to_string())
            .text("note", "夜查");
        for i in 0..n {
            if Some(i) != skip {
                f = f.text(format!("result_{i}"), if i == 2 { "not_ok" } else { "ok" });
            }
            f = f
                .text(format!("note_{i}"), if i == 2 { "登记台账缺页" } else { "" })
                .text(format!("severity_{i}"), "minor");
        }
        if photo {
            let png = bastion_app::publicity::media::generated_cover(4);
            f = f.part("photo_camera", reqwest::multipart::Part::bytes(png).file_name("p.png"));
        }
        f
    };
    let r =
        boss.post(t.url(&format!("/inspections/posts/{post}"))).multipart(form(Some(0), false)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("第 1 项还没有选择合格、不合格或不适用") && html.contains("登记台账缺页"),
        "kept what was typed"
    );
    let r = boss.post(t.url(&format!("/inspections/posts/{post}"))).multipart(form(None, true)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.ends_with("?saved=1"), "{to}");
    let html = boss.get(t.url(&to)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("检查已保存") && html.contains("现场拍摄") && html.contains("登记台账缺页"), "{html:.300}");
    for (user, path) in [
        ("commander", "/inspections"),
        ("commander", "/inspections/plans"),
        ("commander", "/inspections/circulars"),
        ("commander", "/inspections/findings?overdue=true"),
        ("secretary", "/inspections"),
        ("secretary", "/inspections/findings"),
        ("duty", "/inspections/circulars"),
    ] {
        let c = t.login(user).await;
        let r = c.get(t.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{user} {path}");
    }
    let sec = t.login("secretary").await;
    let html = sec.get(t.url("/inspections")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("开始检查"), "a unit's secretary is not offered inspecting");
    assert_eq!(
        sec.get(t.url(&format!("/inspections/posts/{post}"))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let officer = t.login("officer").await;
    let home = officer.get(t.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!home.contains("href=\"/inspections\""), "no menu entry for an officer");
}

/// Findings raised over several days with deadlines long past, just past, to come later and days
/// ahead; closed on time, closed late, awaiting re-inspection and open. The dashboard's figures and
/// the statistics (read from the counters) equal a count over the rows themselves — the statistics
/// for a day, a week and the 60 days.
async fn statistics_agree_with_the_findings(backend: Backend) {
    use bastion_core::inspection::{FindingStatus, ItemResult, Severity};
    use bastion_store::inspection::{FindingId, NewFinding, NewInspection};
    use sqlx::Row;
    let t = spawn_app(backend, true).await;
    let store = &t.app.store;
    let boss = t.login("commander").await;
    let posts = store.duty_posts().await.unwrap();
    let templates = store.inspection_templates().await.unwrap();
    let now = bastion_core::time::now_ms();
    let (hour, day) = (3_600_000_i64, 86_400_000_i64);
    // (raised, due) relative to now
    let cases = [
        (-40 * day, -38 * day),
        (-20 * day, -18 * day),
        (-5 * day, 2 * day),
        (-3 * day, -day),
        (-2 * hour, -hour),
        (-hour, hour),
        (-30 * 60_000, 30 * day),
    ];
    let severities = [Severity::Minor, Severity::Major, Severity::Critical];
    let mut tx = store.begin().await.unwrap();
    for (n, (raised, due)) in cases.iter().enumerate() {
        let post = &posts[n % posts.len()];
        let template = templates.iter().find(|x| x.kind == post.kind).unwrap();
        let at = now + raised;
        let findings = (0..2 + n % 2)
            .map(|k| NewFinding {
                item_idx: Some(k as i64),
                text: format!("统计核对问题 {n}-{k}"),
                severity: severities[(n + k) % 3],
                person_id: None,
                deadline_at: now + due,
            })
            .collect();
        let i = NewInspection {
            client_key: format!("stats-check-{n:04}"),
            plan_id: None,
            post_id: post.id,
            unit_id: post.unit_id,
            template_id: template.id,
            follows_finding: None,
            inspector: "commander".into(),
            inspector_name: "指挥长".into(),
            note: String::new(),
            location: String::new(),
            started_at: at - 600_000,
            received_at: at,
            items: template.items.iter().map(|x| (x.clone(), ItemResult::Ok, String::new())).collect(),
            findings,
        };
        store.insert_inspection(&mut tx, &i).await.unwrap();
    }
    bastion_store::commit(tx).await.unwrap();
    // Close every other finding of ours now (late when its deadline has passed), send one to re-inspection.
    let ours: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM inspection_findings WHERE text LIKE '统计核对问题%' ORDER BY id")
            .fetch_all(store.reader())
            .await
            .unwrap();
    let mut tx = store.begin().await.unwrap();
    for (k, id) in ours.iter().enumerate() {
        let to = match k % 4 {
            0 | 2 => FindingStatus::Closed,
            1 => FindingStatus::Rectified,
            _ => continue,
        };
        store
            .finding_step(&mut tx, FindingId(*id), FindingStatus::Open, to, "close", "核对", "commander", "指挥长")
            .await
            .unwrap();
    }
    bastion_store::commit(tx).await.unwrap();
    // One awaiting re-inspection fails it (back to open), another passes (closed).
    let mut tx = store.begin().await.unwrap();
    for (id, to) in [(ours[1], FindingStatus::Open), (ours[5], FindingStatus::Closed)] {
        store
            .finding_step(
                &mut tx,
                FindingId(id),
                FindingStatus::Rectified,
                to,
                "reinspect",
                "复查",
                "commander",
                "指挥长",
            )
            .await
            .unwrap();
    }
    bastion_store::commit(tx).await.unwrap();

    // The dashboard's open, overdue and awaiting-re-inspection figures (counters by status and
    // deadline day) equal a count over the rows: bureau-wide on the page's data, and per unit.
    let rows: Vec<(i64, String, i64)> = sqlx::query("SELECT unit_id, status, deadline_at FROM inspection_findings")
        .fetch_all(store.reader())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let counted = |unit: Option<i64>| {
        let mine = || rows.iter().filter(|r| unit.is_none_or(|u| r.0 == u));
        bastion_store::inspection::FindingStates {
            open: mine().filter(|r| r.1 == "open").count() as i64,
            overdue: mine().filter(|r| r.1 == "open" && r.2 < now).count() as i64,
            rectified: mine().filter(|r| r.1 == "rectified").count() as i64,
        }
    };
    let all = counted(None);
    assert!(all.overdue > 0 && all.open > all.overdue && all.rectified > 0, "every state covered: {all:?}");
    let dash: Value = boss.get(t.url("/api/dashboard")).send().await.unwrap().json().await.unwrap();
    let shown = |label: &str| super::dashboard::num(&super::dashboard::figure(&dash, "inspection", label).unwrap());
    assert_eq!((shown("待整改问题"), shown("逾期未整改"), shown("待复查")), (all.open, all.overdue, all.rectified));
    let mut units: Vec<i64> = rows.iter().map(|r| r.0).collect();
    units.sort_unstable();
    units.dedup();
    for u in units {
        assert_eq!(store.finding_states(Some(&[u]), now).await.unwrap(), counted(Some(u)), "unit {u}");
    }

    // The referee: every inspection and finding read back and counted here.
    let inspections: Vec<(i64, i64)> = sqlx::query("SELECT unit_id, received_at FROM inspections")
        .fetch_all(store.reader())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let findings = sqlx::query("SELECT unit_id, severity, created_at, deadline_at, closed_at FROM inspection_findings")
        .fetch_all(store.reader())
        .await
        .unwrap();
    let today = bastion_core::time::today();
    for days in [0, 6, 60] {
        let from = today.checked_sub(jiff::Span::new().days(days)).unwrap();
        let start = from.to_zoned(bastion_core::time::beijing()).unwrap().timestamp().as_millisecond();
        let end =
            today.tomorrow().unwrap().to_zoned(bastion_core::time::beijing()).unwrap().timestamp().as_millisecond();
        let within = |at: i64| at >= start && at < end;
        let mut want: std::collections::BTreeMap<i64, [i64; 8]> = Default::default();
        for (unit, at) in &inspections {
            if within(*at) {
                want.entry(*unit).or_default()[0] += 1;
            }
        }
        for r in &findings {
            let (unit, severity, at, due) =
                (r.get::<i64, _>(0), r.get::<String, _>(1), r.get::<i64, _>(2), r.get::<i64, _>(3));
            let closed: Option<i64> = r.get(4);
            if !within(at) {
                continue;
            }
            let w = want.entry(unit).or_default();
            w[1] += 1;
            w[2 + ["minor", "major", "critical"].iter().position(|s| *s == severity).unwrap()] += 1;
            match closed {
                Some(c) if c <= due => w[5] += 1,
                Some(_) => w[6] += 1,
                None => {
                    w[7] += 1;
                    if due < now {
                        w[6] += 1;
                    }
                }
            }
        }
        let got: Vec<Value> = boss
            .get(t.url(&format!("/api/inspections/stats?from={from}&to={today}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let got: std::collections::BTreeMap<i64, [i64; 8]> = got
            .iter()
            .map(|s| {
                let f = |k: &str| s[k].as_i64().unwrap();
                let row = [
                    f("inspections"),
                    f("findings"),
                    f("minor"),
                    f("major"),
                    f("critical"),
                    f("on_time"),
                    f("overdue"),
                    f("open"),
                ];
                (f("unit_id"), row)
            })
            .collect();
        assert_eq!(got, want, "statistics from {from} to {today}");
        if days == 60 {
            let sum = |k: usize| got.values().map(|w| w[k]).sum::<i64>();
            assert!(sum(5) > 0 && sum(6) > 0 && sum(7) > 0, "on time, overdue and open all covered: {got:?}");
        }
    }
}

both_backends!(
    inspect_rectify_reinspect_close,
    statistics_agree_with_the_findings,
    the_deadline_clock_reminds_then_escalates,
    plans_and_circulars,
    the_pages_work_without_script
);
