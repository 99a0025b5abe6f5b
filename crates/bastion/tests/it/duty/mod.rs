//! Duty (值班) over real HTTP on both backends: the assignment rules (overlap, 11 hours' rest
//! with a written override, nobody on leave), the sign-in state machine, the append-only desk
//! log with corrections, the data scope of a station leader, bad input naming its field, and
//! the officer's phone page.

use bastion_core::org::{Category, DutyStatus, PoliticalStatus, Sex};
use bastion_store::org::{NewPerson, UnitId};
use bastion_testkit::{both_backends, eventually, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::recall::unit_id;
use super::receivers::{group_bot, sms_gateway};

mod meeting;
mod roster;

/// A person of `unit` with the given duty status, written straight to the store.
pub(super) async fn person(t: &TestApp, unit: &str, police_no: &str, name: &str, status: DutyStatus) -> i64 {
    person_with_mobile(t, unit, police_no, name, status, None).await
}

/// The same, with a mobile number (for messages by SMS).
async fn person_with_mobile(
    t: &TestApp,
    unit: &str,
    police_no: &str,
    name: &str,
    status: DutyStatus,
    mobile: Option<&str>,
) -> i64 {
    let unit = UnitId(unit_id(t, unit).await);
    let mut tx = t.app.store.begin().await.unwrap();
    let p = NewPerson {
        police_no: police_no.into(),
        name: name.into(),
        category: Category::Police,
        sex: Sex::Male,
        birth_date: None,
        hire_date: None,
        id_number: None,
        mobile: mobile.map(|m| bastion_core::Phone::parse(m).unwrap()),
        unit_id: unit,
        position: None,
        political_status: PoliticalStatus::Member,
        duty_status: status,
        police_types: vec![],
        skills: vec![],
    };
    let id = t.app.store.insert_person(&mut tx, &p).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    id.0
}

async fn send(r: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let r = r.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn new_post(t: &TestApp, c: &reqwest::Client, name: &str, unit: &str, shifts: &str) -> (StatusCode, Value) {
    let unit = unit_id(t, unit).await;
    send(
        c.post(t.url("/api/duty/posts"))
            .json(&json!({"name": name, "kind": "checkpoint", "unit_id": unit, "shifts": shifts})),
    )
    .await
}

async fn assign(
    t: &TestApp,
    c: &reqwest::Client,
    post: i64,
    person: i64,
    day: &str,
    shift: &str,
    reason: &str,
) -> (StatusCode, Value) {
    send(c.post(t.url("/api/duty/assignments")).json(
        &json!({"post_id": post, "person_id": person.to_string(), "day": day, "shift": shift, "override_reason": reason}),
    ))
    .await
}

/// The fields an invalid answer names, and all its messages joined.
fn fields(v: &Value) -> (Vec<String>, String) {
    let errs = v["errors"].as_array().cloned().unwrap_or_default();
    let f = errs.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect();
    let m = errs.iter().map(|e| e["message"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>().join("；");
    (f, m)
}

fn day_after(first: &str, n: usize) -> String {
    let d = jiff::civil::Date::strptime("%Y-%m-%d", first).unwrap();
    d.checked_add(jiff::Span::new().days(n as i64)).unwrap().to_string()
}

async fn assignment_rules(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let (s, a) = new_post(&t, &c, "测试甲岗", "HQ", "白班 08:00-20:00 2\n夜班 20:00-08:00 2").await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let post_a = a["id"].as_i64().unwrap();
    let (s, b) = new_post(&t, &c, "测试乙岗", "HQ", "午班 12:00-18:00 1").await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let post_b = b["id"].as_i64().unwrap();
    let lin = person(&t, "HQ", "990001", "林值守", DutyStatus::OnDuty).await;
    let han = person(&t, "HQ", "990002", "韩休假", DutyStatus::Leave).await;

    let (s, v) = assign(&t, &c, post_a, lin, "2030-01-10", "白班", "").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // Overlap: refused, naming the rule and the person; no reason lifts it.
    for reason in ["", "临时加岗"] {
        let (s, v) = assign(&t, &c, post_b, lin, "2030-01-10", "午班", reason).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (_, m) = fields(&v);
        assert!(m.contains("同一人不能同时在两个班次") && m.contains("林值守"), "{m}");
    }
    // Rest: the night shift starts when the day shift ends — refused without a reason.
    let (s, v) = assign(&t, &c, post_a, lin, "2030-01-10", "夜班", "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (f, m) = fields(&v);
    assert_eq!(f, ["例外理由"]);
    assert!(m.contains("11 小时") && m.contains("林值守") && m.contains("测试甲岗"), "{m}");
    // ... and accepted with a written reason, which the board shows and the audit log keeps.
    let (s, v) = assign(&t, &c, post_a, lin, "2030-01-10", "夜班", "疫情突发，夜班人手不足").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, board) = send(c.get(t.url(&format!("/api/duty/posts/{post_a}/board?day=2030-01-10")))).await;
    let night = &board["shifts"][1];
    assert_eq!(
        (night["required"].as_i64(), night["rostered"].as_i64(), night["present"].as_i64()),
        (Some(2), Some(1), Some(0))
    );
    assert_eq!(night["people"][0]["override_reason"], "疫情突发，夜班人手不足");
    let (_, audit) = send(t.login("auditadmin").await.get(t.url("/api/audit?module=duty&size=50"))).await;
    assert!(audit.to_string().contains("例外理由：疫情突发，夜班人手不足"), "{audit}");
    // A shift 12 hours after the night ends is fine.
    let (s, v) = assign(&t, &c, post_a, lin, "2030-01-11", "夜班", "").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // Someone on leave is refused, by name and status.
    let (s, v) = assign(&t, &c, post_a, han, "2030-01-12", "白班", "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (f, m) = fields(&v);
    assert_eq!(f, ["人员"]);
    assert!(m.contains("韩休假") && m.contains("休假"), "{m}");

    // A shift the post does not have.
    let (s, v) = assign(&t, &c, post_a, lin, "2030-01-20", "早班", "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(fields(&v).1.contains("白班、夜班"), "{v}");

    // Bad input names each field, never a 500.
    let (s, v) = send(
        c.post(t.url("/api/duty/assignments"))
            .json(&json!({"post_id": "abc", "person_id": "", "day": "2030-13-01", "shift": ""})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v).0, ["岗位", "人员", "日期", "班次"]);
    let (s, v) =
        send(c.post(t.url("/api/duty/posts")).json(
            &json!({"name": "", "kind": "岗亭", "unit_id": "x", "checkpoint_id": "-1", "shifts": "白班 8点到20点"}),
        ))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (f, m) = fields(&v);
    assert_eq!(f, ["岗位名称", "岗位类型", "所属单位", "关联卡点", "班次"]);
    assert!(m.contains("名称 开始-结束 人数"), "{m}");
    let (s, v) = assign(&t, &c, 999_999, lin, "2030-01-10", "白班", "").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, _) =
        send(c.post(t.url("/api/duty/assignments")).header("content-type", "application/json").body("{\"day\":")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

async fn sign_in_state_machine(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let officer = t.login("officer").await;
    let (s, mine) = send(officer.get(t.url("/api/duty/my-shifts"))).await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    let id = mine[0]["id"].as_i64().unwrap_or_else(|| panic!("the demo officer has a shift now: {mine}"));
    let sign = |what: &'static str, id: i64| {
        let officer = officer.clone();
        let url = t.url(&format!("/api/duty/assignments/{id}/{what}"));
        async move { send(officer.post(url)).await }
    };
    let (s, v) = sign("sign-out", id).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v.to_string().contains("尚未签到，不能签退"), "{v}");
    let (s, v) = sign("sign-in", id).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["signed_in_at"].as_i64().is_some());
    let (s, v) = sign("sign-in", id).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v.to_string().contains("不能重复签到"), "{v}");

    // The post's board shows them present.
    let duty = t.login("duty").await;
    let post = mine[0]["post_id"].as_i64().unwrap();
    let day = mine[0]["day"].as_str().unwrap();
    let (_, board) = send(duty.get(t.url(&format!("/api/duty/posts/{post}/board?day={day}")))).await;
    let shift = board["shifts"].as_array().unwrap().iter().find(|s| s["shift"]["name"] == mine[0]["shift"]).unwrap();
    assert!(shift["present"].as_i64().unwrap() >= 1, "{shift}");
    let me = shift["people"].as_array().unwrap().iter().find(|p| p["id"].as_i64() == Some(id)).unwrap();
    assert!(me["signed_in_at"].as_i64().is_some());

    let (s, v) = sign("sign-out", id).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = sign("sign-out", id).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v.to_string().contains("不能重复签退"), "{v}");

    // Someone else's shift: the officer is refused, the desk may mark it.
    let (_, desk) = send(duty.get(t.url("/api/duty/posts/1/board"))).await;
    let other = desk["shifts"][0]["people"][0]["id"].as_i64().unwrap();
    let (s, v) = sign("sign-in", other).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(v.to_string().contains("这不是您的班次"), "{v}");
    let (s, v) = send(duty.post(t.url(&format!("/api/duty/assignments/{other}/sign-in")))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, desk) = send(duty.get(t.url("/api/duty/posts/1/board"))).await;
    assert_eq!(desk["shifts"][0]["present"], 1);
    let (s, _) = sign("sign-in", 987_654).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The phone page: the officer's shift is there, signed out now.
    let html = officer.get(t.url("/duty/my")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("my-shift-{id}")) && html.contains("已签退"), "{html:.400}");
}

async fn phone_page_signs_in(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let officer = t.login("officer").await;
    // The home page's to-do list sends the officer to sign in to the shift running now.
    let todo = |html: String| html.split("data-testid=\"todo\"").nth(1).unwrap_or_default().to_string();
    let home = todo(officer.get(t.url("/")).send().await.unwrap().text().await.unwrap());
    assert!(home.contains("当班中，请签到") && home.contains("href=\"/duty/my\""), "{home:.600}");
    let html = officer.get(t.url("/duty/my")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("未签到") && html.contains("/sign-in"), "{html:.600}");
    let id: i64 = html.split("my-shift-").nth(1).and_then(|s| s.split('"').next()).unwrap().parse().unwrap();
    let form = [("back", "/duty/my")];
    let r = officer.post(t.url(&format!("/duty/assignments/{id}/sign-in"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = officer.get(t.url("/duty/my")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("在岗") && html.contains("/sign-out"), "{html:.600}");
    let home = todo(officer.get(t.url("/")).send().await.unwrap().text().await.unwrap());
    assert!(!home.contains("请签到"), "signed in: nothing more to do for this shift: {home:.600}");
    // A second sign-in from a stale page says why, on the same page.
    let r = officer.post(t.url(&format!("/duty/assignments/{id}/sign-in"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("不能重复签到"));
    // An address outside the feature is never where the form sends the browser.
    let r = officer
        .post(t.url(&format!("/duty/assignments/{id}/sign-out")))
        .form(&[("back", "https://example.com/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/duty/my");
}

/// The shift of the signed-in officer running now (the demo officer has one).
async fn running_shift(t: &TestApp, officer: &reqwest::Client) -> Value {
    let (_, mine) = send(officer.get(t.url("/api/duty/my-shifts"))).await;
    let now = bastion_core::time::now_ms();
    mine.as_array()
        .unwrap()
        .iter()
        .find(|a| a["starts_at"].as_i64().unwrap() <= now && now < a["ends_at"].as_i64().unwrap())
        .cloned()
        .expect("the demo officer has a shift running now")
}

/// The post's sign-in poster carries the QR code of its sign-in address; scanning it opens the
/// officer's shift there with one button, and a refusal is said on the same page.
async fn sign_in_by_the_posts_code(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let officer = t.login("officer").await;
    let shift = running_shift(&t, &officer).await;
    let (post, id) = (shift["post_id"].as_i64().unwrap(), shift["id"].as_i64().unwrap());
    let here = format!("/duty/posts/{post}/here");
    let desk = t.login("duty").await;
    let r = desk.get(t.url(&format!("/duty/posts/{post}/poster.pdf"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pdf = r.bytes().await.unwrap();
    let text = super::pdf::text(&pdf);
    assert!(text.contains(shift["post_name"].as_str().unwrap()) && text.contains(&here), "{text}");
    assert!(super::pdf::images(&pdf) >= 1, "the QR code is on the poster");
    let html = officer.get(t.url(&here)).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("data-testid=\"here-shift\"") && html.contains(&format!("/duty/assignments/{id}/sign-in")),
        "{html:.800}"
    );
    // The desk's board of the post follows live (on PostgreSQL, open on a second node).
    let node = match backend {
        Backend::Postgres => Some(t.spawn_node().await),
        Backend::Sqlite => None,
    };
    let base = node.as_ref().map(|n| n.base.clone()).unwrap_or_else(|| t.base.clone());
    let watcher = t.login_at(&base, "duty").await;
    let day = shift["day"].as_str().unwrap();
    let mut stream = watcher.get(format!("{base}/duty/posts/{post}/live?day={day}")).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(stream.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    assert_eq!(stream.headers()["x-accel-buffering"], "no", "a reverse proxy passes each event on at once");
    let r =
        officer.post(t.url(&format!("/duty/assignments/{id}/sign-in"))).form(&[("back", &here)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], here.as_str());
    let mut got = String::new();
    while !got.contains("event: board") {
        match tokio::time::timeout(std::time::Duration::from_secs(10), stream.chunk()).await {
            Ok(Ok(Some(bytes))) => got.push_str(&String::from_utf8_lossy(&bytes)),
            other => panic!("the board did not change on the watching node: {other:?}; got {got:?}"),
        }
    }
    let row = got.split(&format!("duty-row-{id}\"")).nth(1).and_then(|r| r.split("</tr>").next()).unwrap_or_default();
    assert!(row.contains("在岗"), "the officer shows present: {got}");
    // Someone who may not read duty boards cannot follow one.
    let r = officer.get(t.url(&format!("/duty/posts/{post}/live"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = officer.get(t.url(&here)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("data-testid=\"here-state\"") && html.contains("/sign-out"), "{html:.800}");
    let r =
        officer.post(t.url(&format!("/duty/assignments/{id}/sign-in"))).form(&[("back", &here)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("不能重复签到") && html.contains("here-shift"), "said on the post's page: {html:.800}");
    // At another post the officer has nothing to sign in to.
    let (_, posts) = send(desk.get(t.url("/api/duty/posts"))).await;
    let other = posts.as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).find(|p| *p != post).unwrap();
    let html = officer.get(t.url(&format!("/duty/posts/{other}/here"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("here-none"), "{html:.800}");
}

async fn desk_log_is_append_only(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let duty = t.login("duty").await;
    let (s, v) =
        send(duty.post(t.url("/api/duty/log")).json(
            &json!({"category": "来电", "body": "城关镇群众来电反映幸福里小区有外地返乡人员", "important": true}),
        ))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let first = v["id"].as_i64().unwrap();
    let (s, v) = send(
        duty.post(t.url("/api/duty/log"))
            .json(&json!({"category": "report", "body": "更正：应为幸福里小区北门", "corrects": first.to_string()})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let second = v["id"].as_i64().unwrap();
    let (_, log) = send(duty.get(t.url("/api/duty/log"))).await;
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{log}");
    // The day's log prints with both entries, the correction naming what it corrects.
    let r = duty.get(t.url("/duty/log/print")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pdf: String = super::pdf::text(&r.bytes().await.unwrap()).split_whitespace().collect();
    assert!(pdf.contains("值班日志") && pdf.contains("共2条记录"), "{pdf:.500}");
    assert!(pdf.contains("幸福里小区有外地返乡人员") && pdf.contains(&format!("（更正第{first}条）")), "{pdf:.800}");
    assert_eq!(entries[0]["body"], "城关镇群众来电反映幸福里小区有外地返乡人员");
    assert_eq!(entries[0]["important"], true);
    assert_eq!(entries[0]["category"], "call");
    assert_eq!(entries[1]["corrects"].as_i64(), Some(first));
    assert_eq!(entries[1]["id"].as_i64(), Some(second));
    // No way to change or remove an entry.
    for r in [duty.put(t.url(&format!("/api/duty/log/{first}"))), duty.delete(t.url(&format!("/api/duty/log/{first}")))]
    {
        let s = r.header("content-type", "application/json").body("{}").send().await.unwrap().status();
        assert!(s == StatusCode::NOT_FOUND || s == StatusCode::METHOD_NOT_ALLOWED, "{s}");
    }
    // Bad input names the field.
    let (s, v) = send(duty.post(t.url("/api/duty/log")).json(&json!({"category": "闲聊", "body": " "}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v).0, ["类别", "内容"]);
    assert!(fields(&v).1.contains("来电"), "{v}");
    let (s, v) = send(
        duty.post(t.url("/api/duty/log")).json(&json!({"category": "other", "body": "更正一条", "corrects": 99_999})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v).0, ["更正的条目"]);
    // The page shows the correction under the entry it corrects; officers do not see the log.
    let html = duty.get(t.url("/duty/log")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("更正 #{first}")) && html.contains("重要"), "{html:.400}");
    let (s, _) = send(t.login("officer").await.get(t.url("/api/duty/log"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn station_leader_scope(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let commander = t.login("commander").await;
    let (_, all) = send(commander.get(t.url("/api/duty/posts"))).await;
    let desk = all.as_array().unwrap().iter().find(|p| p["name"] == "指挥部值班台").unwrap()["id"].as_i64().unwrap();
    let sec = t.login("secretary").await;
    let (s, mine) = send(sec.get(t.url("/api/duty/posts"))).await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = mine.as_array().unwrap().iter().map(|p| p["unit_name"].as_str().unwrap()).collect();
    assert!(!names.is_empty() && names.iter().all(|n| n.contains("城关")), "{names:?}");
    assert!(mine.as_array().unwrap().len() < all.as_array().unwrap().len());
    // Another unit's post: not created, not seen, not staffed, not signed for.
    let (s, v) = new_post(&t, &sec, "东关测试岗", "S02", "白班 08:00-20:00 1").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = new_post(&t, &sec, "城关测试岗", "S01", "白班 08:00-20:00 1").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, _) = send(sec.get(t.url(&format!("/api/duty/posts/{desk}/board")))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let p = person(&t, "S01", "990011", "周城关", DutyStatus::OnDuty).await;
    let (s, v) = assign(&t, &sec, desk, p, "2030-02-01", "早班", "").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (_, board) = send(commander.get(t.url(&format!("/api/duty/posts/{desk}/board")))).await;
    let someone = board["shifts"][0]["people"][0]["id"].as_i64().unwrap();
    let (s, _) = send(sec.post(t.url(&format!("/api/duty/assignments/{someone}/sign-in")))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let html = sec.get(t.url(&format!("/duty/posts/{desk}"))).send().await.unwrap();
    assert_eq!(html.status(), StatusCode::FORBIDDEN);
}

/// Several desks assign one person to overlapping shifts of different posts at the same moment:
/// exactly one assignment is stored, the others are refused by the overlap rule (on PostgreSQL
/// the person's row is held while the rule is checked).
async fn concurrent_assignments_of_one_person(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let mut posts = Vec::new();
    for i in 0..6 {
        let (s, p) = new_post(&t, &c, &format!("并发岗{i}"), "HQ", "白班 08:00-20:00 1").await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        posts.push(p["id"].as_i64().unwrap());
    }
    let lin = person(&t, "HQ", "990031", "林同时", DutyStatus::OnDuty).await;
    let tries = posts.iter().map(|p| assign(&t, &c, *p, lin, "2030-03-01", "白班", ""));
    let answers = futures_util::future::join_all(tries).await;
    let stored = answers.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    assert_eq!(stored, 1, "{answers:?}");
    for (s, v) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!(*s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(fields(v).1.contains("同一人不能同时在两个班次"), "{v}");
    }
    use sqlx::Row;
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM duty_assignments WHERE person_id = $1")
        .bind(lin)
        .fetch_one(t.app.store.reader())
        .await
        .unwrap()
        .get("n");
    assert_eq!(n, 1);
}

both_backends!(
    concurrent_assignments_of_one_person,
    assignment_rules,
    sign_in_state_machine,
    phone_page_signs_in,
    desk_log_is_append_only,
    station_leader_scope
);

async fn handover_state_machine(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let officer = t.login("officer").await;
    let shift = running_shift(&t, &officer).await;
    let (post, day, name) =
        (shift["post_id"].as_i64().unwrap(), shift["day"].as_str().unwrap(), shift["shift"].as_str().unwrap());
    // The desk flags something important during the shift: it is in the handover's summary.
    let desk = t.login("duty").await;
    let (s, _) = send(
        desk.post(t.url("/api/duty/log"))
            .json(&json!({"category": "上报", "body": "东侧道口护栏被撞需修复", "important": "1"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let url = t.url(&format!("/api/duty/posts/{post}/handover?day={day}&shift={name}"));
    let (s, v) = send(officer.get(&url)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let summary = v["summary"].to_string();
    assert!(summary.contains("人员：应到") && summary.contains("东侧道口护栏被撞需修复"), "{summary}");
    assert_eq!(v["can_write"], true);
    assert!(v["handover"].is_null());
    // Bad input and a shift not begun are refused by name.
    let (s, e) = send(
        officer
            .post(t.url("/api/duty/handovers"))
            .json(&json!({"post_id": post, "day": day, "shift": name, "note": "好"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e).0, ["交班说明"]);
    let tomorrow = day_after(day, 1);
    let (s, e) = send(
        desk.post(t.url("/api/duty/handovers"))
            .json(&json!({"post_id": post, "day": tomorrow, "shift": name, "note": "提前交班试试"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(fields(&e).1.contains("尚未开始"), "{e}");
    // The officer hands over once.
    let note =
        json!({"post_id": post, "day": day, "shift": name, "note": "护栏已报修，明早8点前施工队到场，请接班人跟进"});
    let (s, made) = send(officer.post(t.url("/api/duty/handovers")).json(&note)).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let (s, _) = send(officer.post(t.url("/api/duty/handovers")).json(&note)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let id = made["id"].as_i64().unwrap();
    // Not taken over yet on the board; the writer cannot acknowledge; the desk can, once.
    let (_, board) = send(desk.get(t.url(&format!("/api/duty/posts/{post}/board?day={day}")))).await;
    let mine = board["shifts"].as_array().unwrap().iter().find(|s| s["shift"]["name"] == name).unwrap().clone();
    assert!(mine["handover"]["acked_at"].is_null(), "{mine}");
    let (s, _) = send(officer.post(t.url(&format!("/api/duty/handovers/{id}/ack")))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, h) = send(desk.post(t.url(&format!("/api/duty/handovers/{id}/ack")))).await;
    assert_eq!(s, StatusCode::OK, "{h}");
    assert!(h["acked_at"].is_i64() && h["note"].as_str().unwrap().contains("施工队"));
    assert!(h["summary"].as_str().unwrap().contains("东侧道口护栏被撞需修复"), "the written summary is kept");
    let (s, e) = send(desk.post(t.url(&format!("/api/duty/handovers/{id}/ack")))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (_, board) = send(desk.get(t.url(&format!("/api/duty/posts/{post}/board?day={day}")))).await;
    let mine = board["shifts"].as_array().unwrap().iter().find(|s| s["shift"]["name"] == name).unwrap().clone();
    assert!(mine["handover"]["acked_at"].is_i64(), "{mine}");
    let (_, audit) = send(t.login("auditadmin").await.get(t.url("/api/audit?module=duty&size=50"))).await;
    let audit = audit.to_string();
    assert!(audit.contains("交班") && audit.contains("接班"), "{audit}");
}

/// A post whose one shift began `ago_min` minutes ago (Beijing time) and lasts 8 hours, with one
/// person on it today; returns the post's name.
async fn shift_begun(t: &TestApp, c: &reqwest::Client, name: &str, police_no: &str, ago_min: i64) -> String {
    let start = bastion_core::time::now_ms() - ago_min * 60_000;
    let z = jiff::Timestamp::from_millisecond(start).unwrap().to_zoned(bastion_core::time::beijing());
    let (day, hm) = (z.date().to_string(), format!("{:02}:{:02}", z.hour(), z.minute()));
    let end = z.checked_add(jiff::Span::new().hours(8)).unwrap();
    let shifts = format!("测试班 {hm}-{:02}:{:02} 1", end.hour(), end.minute());
    let (s, p) = new_post(t, c, name, "S01", &shifts).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let who = person(t, "S01", police_no, &format!("迟到{police_no}"), DutyStatus::OnDuty).await;
    let (s, a) = assign(t, c, p["id"].as_i64().unwrap(), who, &day, "测试班", "").await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    name.to_string()
}

async fn late_sign_in_alerts_once(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let (base, got) = group_bot().await;
    let c = t.login("commander").await;
    let (s, _) = send(c.post(t.url("/api/notify/channels")).json(
        &json!({"kind": "wecom", "name": "指挥部群", "url": format!("{base}/wecom?key=k"), "min_interval_ms": 0}),
    ))
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let late = shift_begun(&t, &c, "迟到测试岗", "L90001", 30).await;
    let fresh = shift_begun(&t, &c, "刚开班测试岗", "L90002", 5).await;
    // The clock runs by itself every minute too; either way one message per shift.
    t.app.duty_late_clock(bastion_core::time::now_ms()).await.unwrap();
    let about = |what: &str| got.lock().unwrap().iter().filter(|m| m.contains(what)).cloned().collect::<Vec<_>>();
    eventually("the alert at the bot", std::time::Duration::from_secs(30), || async {
        t.app.send_due(bastion_core::time::now_ms()).await.unwrap();
        (!about(&late).is_empty()).then_some(())
    })
    .await;
    t.app.duty_late_clock(bastion_core::time::now_ms()).await.unwrap();
    t.app.send_due(bastion_core::time::now_ms()).await.unwrap();
    let ours = about(&late);
    assert_eq!(ours.len(), 1, "once: {ours:?}");
    assert!(ours[0].starts_with("【缺岗提醒】") && ours[0].contains("1 人未签到"), "{ours:?}");
    assert!(!ours[0].contains("迟到L90001"), "no names in a group message: {ours:?}");
    assert!(about(&fresh).is_empty(), "a shift 5 minutes old is not late");
    // The desk's home page lists it until the person signs in.
    let home = t.login("duty").await.get(t.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains(&format!("{late} ")) && home.contains("人开班超过 15 分钟未签到"), "the desk's to-do");
    assert!(!home.contains(&format!("{fresh} ")), "not the fresh one");
}

async fn swaps_keep_the_rules(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let (_, post) = new_post(&t, &c, "换班测试岗", "S01", "白班 08:00-20:00 1\n夜班 20:00-08:00 1").await;
    let post = post["id"].as_i64().unwrap();
    let (sms, texts) = sms_gateway().await;
    let (s, ch) = send(c.post(t.url("/api/notify/channels")).json(
        &json!({"kind": "sms", "name": "短信网关", "url": format!("{sms}/sms"), "min_interval_ms": 0, "link_base": t.url("")}),
    ))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{ch}");
    let a = person_with_mobile(&t, "S01", "W00001", "换甲", DutyStatus::OnDuty, Some("13800009001")).await;
    let b = person_with_mobile(&t, "S01", "W00002", "换乙", DutyStatus::OnDuty, Some("13800009002")).await;
    let cc = person(&t, "S01", "W00003", "换丙", DutyStatus::OnDuty).await;
    let today = bastion_core::time::today().to_string();
    let (d1, d2, d4) = (day_after(&today, 1), day_after(&today, 2), day_after(&today, 4));
    let (_, x) = assign(&t, &c, post, a, &d2, "白班", "").await;
    let mine = x["id"].as_i64().unwrap();
    let (_, y) = assign(&t, &c, post, b, &d4, "白班", "").await;
    let theirs = y["id"].as_i64().unwrap();
    let (s, _) = assign(&t, &c, post, cc, &d1, "夜班", "").await;
    assert_eq!(s, StatusCode::CREATED);
    let ask = |body: Value| {
        let (c, url) = (c.clone(), t.url("/api/duty/swaps"));
        async move { send(c.post(url).json(&body)).await }
    };
    // 丙 works the night before: taking 甲's morning shift leaves no rest.
    let (s, e) = ask(json!({"assignment_id": mine, "police_no": "W00003", "reason": "家中有事"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(fields(&e).1.contains("两班之间至少休息 11 小时") && fields(&e).1.contains("换丙"), "{e}");
    let (s, e) = ask(json!({"assignment_id": mine, "police_no": "W00001", "reason": "家中有事"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&e).1.contains("不能和自己换班"), "{e}");
    let (s, e) =
        ask(json!({"assignment_id": mine, "police_no": "W00002", "their_day": d1, "reason": "家中有事"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e).0, ["对方班次日期"], "{e}");
    // An exchange with 乙's shift two days later keeps every rule.
    let (s, made) =
        ask(json!({"assignment_id": mine, "police_no": "W00002", "their_day": d4, "reason": "家中有事"})).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let id = made["id"].as_i64().unwrap();
    let (s, _) = ask(json!({"assignment_id": mine, "police_no": "W00002", "reason": "再申请一次"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) =
        send(t.login("officer").await.post(t.url(&format!("/api/duty/swaps/{id}/approve"))).json(&json!({}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, done) = send(c.post(t.url(&format!("/api/duty/swaps/{id}/approve"))).json(&json!({"note": "同意"}))).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "approved");
    let on = |day: String| {
        let (c, url) = (c.clone(), t.url(&format!("/api/duty/posts/{post}/board?day={day}")));
        async move {
            let (_, b) = send(c.get(url)).await;
            b["shifts"][0]["people"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["person_name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(on(d2.clone()).await, ["换乙"]);
    assert_eq!(on(d4.clone()).await, ["换甲"]);
    // Both hear of it by SMS: the one who asked, and the colleague.
    let to = |mobile: &str| {
        texts.lock().unwrap().iter().filter(|(m, _)| m == mobile).map(|(_, x)| x.clone()).collect::<Vec<_>>()
    };
    eventually("both SMS", std::time::Duration::from_secs(30), || async {
        t.app.send_due(bastion_core::time::now_ms()).await.unwrap();
        (!to("13800009001").is_empty() && !to("13800009002").is_empty()).then_some(())
    })
    .await;
    assert!(
        to("13800009001")[0].starts_with("【换班】您申请的换班") && to("13800009001")[0].contains("已同意"),
        "{:?}",
        to("13800009001")
    );
    assert!(to("13800009002")[0].contains("由您值班"), "{:?}", to("13800009002"));
    let (s, _) = send(c.post(t.url(&format!("/api/duty/swaps/{id}/approve"))).json(&json!({}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "decided once");
    // A refusal needs a note and changes nothing.
    let (s, made) = ask(json!({"assignment_id": theirs, "police_no": "W00003", "reason": "临时有任务"})).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let id = made["id"].as_i64().unwrap();
    let (s, e) = send(c.post(t.url(&format!("/api/duty/swaps/{id}/refuse"))).json(&json!({}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e).0, ["意见"]);
    let (s, _) =
        send(c.post(t.url(&format!("/api/duty/swaps/{id}/refuse"))).json(&json!({"note": "当天警力不足"}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(on(d4).await, ["换甲"]);
    let (_, list) = send(c.get(t.url("/api/duty/swaps"))).await;
    assert!(list.to_string().contains("当天警力不足"));
    let (_, audit) = send(t.login("auditadmin").await.get(t.url("/api/audit?module=duty&size=80"))).await;
    let audit = audit.to_string();
    for action in ["申请换班", "同意换班", "不同意换班"] {
        assert!(audit.contains(action), "{action} audited");
    }
}

/// The duty section's count of shifts not taken over, on the command dashboard.
async fn not_taken_over(t: &TestApp, c: &reqwest::Client) -> i64 {
    let (_, d) = send(c.get(t.url("/api/dashboard"))).await;
    let duty = d.as_array().unwrap().iter().find(|s| s["feature"] == "duty").unwrap().clone();
    let f = duty["figures"].as_array().unwrap().iter().find(|f| f["label"] == "未完成交接班").unwrap().clone();
    f["value"].as_str().unwrap().parse().unwrap()
}

async fn dashboard_counts_shifts_not_taken_over(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let before = not_taken_over(&t, &c).await;
    // A shift that began nine hours ago and ended one hour ago, with one person on it.
    let name = shift_begun(&t, &c, "交接测试岗", "H90001", 9 * 60).await;
    assert_eq!(not_taken_over(&t, &c).await, before + 1);
    let (_, posts) = send(c.get(t.url("/api/duty/posts"))).await;
    let post = posts.as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["id"].as_i64().unwrap();
    let start = bastion_core::time::now_ms() - 9 * 3_600_000;
    let day =
        jiff::Timestamp::from_millisecond(start).unwrap().to_zoned(bastion_core::time::beijing()).date().to_string();
    let (s, h) = send(
        c.post(t.url("/api/duty/handovers"))
            .json(&json!({"post_id": post, "day": day, "shift": "测试班", "note": "本班无异常，交班"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    assert_eq!(not_taken_over(&t, &c).await, before + 1, "written is not yet taken over");
    let (s, _) = send(t.login("duty").await.post(t.url(&format!("/api/duty/handovers/{}/ack", h["id"])))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(not_taken_over(&t, &c).await, before);
}

async fn calendar_feed_is_revocable(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let officer = t.login("officer").await;
    let make = || {
        let (o, url) = (officer.clone(), t.url("/duty/my/calendar"));
        async move { o.post(url).form(&[("x", "")]).send().await.unwrap().text().await.unwrap() }
    };
    let html = make().await;
    let url = html.split("data-testid=\"calendar-url\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_string();
    let path = &url[url.find("/duty/calendar/").unwrap()..];
    // No sign-in needed: the address is the key. The officer's shift today is in it.
    let anyone = reqwest::Client::new();
    let r = anyone.get(t.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let ics = r.text().await.unwrap();
    let (_, mine) = send(officer.get(t.url("/api/duty/my-shifts"))).await;
    let first = &mine[0];
    assert!(ics.starts_with("BEGIN:VCALENDAR") && ics.contains(&format!("UID:duty-{}@bastion", first["id"])), "{ics}");
    assert!(
        ics.contains(&format!("SUMMARY:{} {}", first["post_name"].as_str().unwrap(), first["shift"].as_str().unwrap())),
        "{ics}"
    );
    // The page no longer shows the address, only that a feed exists.
    let html = officer.get(t.url("/duty/my")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("calendar-url") && html.contains("已开通日历订阅"));
    // A new address revokes the old; stopping revokes the new; a made-up one is unknown.
    let again = make().await;
    let url2 =
        again.split("data-testid=\"calendar-url\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_string();
    assert_ne!(url, url2);
    assert_eq!(anyone.get(t.url(path)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let path2 = &url2[url2.find("/duty/calendar/").unwrap()..];
    assert_eq!(anyone.get(t.url(path2)).send().await.unwrap().status(), StatusCode::OK);
    let r = officer.post(t.url("/duty/my/calendar/stop")).form(&[("x", "")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(anyone.get(t.url(path2)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(anyone.get(t.url("/duty/calendar/0123.ics")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

use meeting::{command_structure, meetings_and_tasks};

both_backends!(
    meetings_and_tasks,
    sign_in_by_the_posts_code,
    calendar_feed_is_revocable,
    dashboard_counts_shifts_not_taken_over,
    swaps_keep_the_rules,
    command_structure,
    handover_state_machine,
    late_sign_in_alerts_once
);
