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

/// A person of `unit` with the given duty status, written straight to the store.
async fn person(t: &TestApp, unit: &str, police_no: &str, name: &str, status: DutyStatus) -> i64 {
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
        mobile: None,
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

// ------------------------------------------------------------------ rosters (排班表)

/// A fresh station under the bureau with `people` (police number, name, auxiliary, party member,
/// duty status) and one post of two shifts; returns (unit, post, person ids by police number).
async fn roster_station(
    t: &TestApp,
    c: &reqwest::Client,
    code: &str,
    people: &[(&str, &str, bool, bool, DutyStatus)],
) -> (i64, i64, std::collections::HashMap<String, i64>) {
    let unit = new_unit(t, "BUREAU", code, &format!("排班测试所{code}")).await;
    let mut ids = std::collections::HashMap::new();
    for (no, name, aux, party, status) in people {
        let mut tx = t.app.store.begin().await.unwrap();
        let p = NewPerson {
            police_no: (*no).into(),
            name: (*name).into(),
            category: if *aux { Category::Auxiliary } else { Category::Police },
            sex: Sex::Male,
            birth_date: None,
            hire_date: None,
            id_number: None,
            mobile: Some(bastion_core::Phone::parse(&format!("139{:0>8}", &no[no.len() - 4..])).unwrap()),
            unit_id: UnitId(unit),
            position: None,
            political_status: if *party { PoliticalStatus::Member } else { PoliticalStatus::Masses },
            duty_status: *status,
            police_types: vec![],
            skills: vec![],
        };
        let id = t.app.store.insert_person(&mut tx, &p).await.unwrap();
        bastion_store::commit(tx).await.unwrap();
        ids.insert((*no).to_string(), id.0);
    }
    let (s, post) = send(c.post(t.url("/api/duty/posts")).json(&json!({
        "name": format!("{code}卡点岗"), "kind": "checkpoint", "unit_id": unit,
        "shifts": "白班 08:00-20:00 2\n夜班 20:00-08:00 1", "min_sworn": 1, "min_party": 1
    })))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{post}");
    (unit, post["id"].as_i64().unwrap(), ids)
}

/// A unit under `parent`, written straight to the store.
async fn new_unit(t: &TestApp, parent: &str, code: &str, name: &str) -> i64 {
    let parent = UnitId(unit_id(t, parent).await);
    let mut tx = t.app.store.begin().await.unwrap();
    let u = bastion_store::org::NewUnit {
        parent_id: Some(parent),
        code: code.into(),
        name: name.into(),
        kind: bastion_core::org::UnitKind::Station,
        sort_order: 99,
        phone: None,
    };
    let unit = t.app.store.insert_unit(&mut tx, &u).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    unit.id.0
}

/// The cells of a roster view as (person, day index, shift value).
fn roster_cells(view: &Value) -> Vec<(i64, usize, String)> {
    let keys = view["keys"].as_array().unwrap();
    let mut out = Vec::new();
    for r in view["rows"].as_array().unwrap() {
        for (d, c) in r["cells"].as_array().unwrap().iter().enumerate() {
            if let Some(k) = c.as_u64() {
                out.push((
                    r["person_id"].as_i64().unwrap(),
                    d,
                    keys[k as usize]["value"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    out
}

fn day_after(first: &str, n: usize) -> String {
    let d = jiff::civil::Date::strptime("%Y-%m-%d", first).unwrap();
    d.checked_add(jiff::Span::new().days(n as i64)).unwrap().to_string()
}

const STAFF: [(&str, &str, bool, bool, DutyStatus); 9] = [
    ("R0001", "甲一", false, true, DutyStatus::OnDuty),
    ("R0002", "甲二", false, false, DutyStatus::OnDuty),
    ("R0003", "甲三", true, true, DutyStatus::OnDuty),
    ("R0004", "甲四", true, false, DutyStatus::OnDuty),
    ("R0005", "甲五", false, true, DutyStatus::OnDuty),
    ("R0006", "甲六", true, false, DutyStatus::OnDuty),
    ("R0007", "甲七", false, false, DutyStatus::OnDuty),
    ("R0008", "甲八", false, true, DutyStatus::OnDuty),
    ("R0009", "甲九", false, true, DutyStatus::Sick),
];

async fn roster_generate_edit_publish_repair(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let (unit, post, ids) = roster_station(&t, &c, "RS1", &STAFF).await;
    let first = day_after(&bastion_core::time::today().to_string(), 1);
    let (s, made) = send(
        c.post(t.url("/api/duty/rosters")).json(&json!({"unit_id": unit, "first_day": first, "days": 7, "seconds": 2})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let id = made["id"].as_i64().unwrap();
    let (s, view) = send(c.get(t.url(&format!("/api/duty/rosters/{id}?unit_id={unit}")))).await;
    assert_eq!(s, StatusCode::OK, "{view}");
    assert_eq!(view["roster"]["status"], "draft");
    assert_eq!(view["roster"]["short_shifts"], 0, "{}", view["roster"]);
    assert_eq!(view["roster"]["short_conditions"], 0, "{}", view["roster"]);
    assert_eq!(view["roster"]["hard_violations"], 0, "{}", view["roster"]);
    // The sick officer is not rostered and is listed as excused.
    let sick = ids["R0009"];
    let cells = roster_cells(&view);
    assert!(cells.iter().all(|(p, _, _)| *p != sick));
    assert!(view["excused"].to_string().contains("甲九"), "{}", view["excused"]);
    // The notice-board workbook shows the same marks as the grid, a sheet per unit and a legend.
    let r = c.get(t.url(&format!("/api/duty/rosters/{id}/export"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    {
        use calamine::Reader;
        let bytes = r.bytes().await.unwrap().to_vec();
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let names = wb.sheet_names().to_vec();
        assert_eq!(names.len(), view["units"].as_array().unwrap().len() + 1, "{names:?}");
        assert_eq!(names.last().map(String::as_str), Some("图例"));
        let sheet = wb.worksheet_range(&names[0]).unwrap();
        let keys = view["keys"].as_array().unwrap();
        for row in view["rows"].as_array().unwrap() {
            let line = sheet
                .rows()
                .find(|l| l.first().map(|c| c.to_string()) == Some(row["name"].as_str().unwrap().to_string()))
                .unwrap_or_else(|| panic!("{} in the sheet", row["name"]));
            for (d, c) in row["cells"].as_array().unwrap().iter().enumerate() {
                let want =
                    c.as_u64().map(|k| keys[k as usize]["mark"].as_str().unwrap().to_string()).unwrap_or_default();
                assert_eq!(line[2 + d].to_string(), want, "{} day {d}", row["name"]);
            }
        }
    }
    // Every day: two on the day shift, one at night, each shift with a sworn officer and a party member.
    let sworn = |p: i64| !["R0003", "R0004", "R0006"].iter().any(|n| ids[*n] == p);
    let party = |p: i64| ["R0001", "R0003", "R0005", "R0008"].iter().any(|n| ids[*n] == p);
    let (day, night) = (format!("{post}:白班"), format!("{post}:夜班"));
    for d in 0..7 {
        for (shift, need) in [(&day, 2), (&night, 1)] {
            let on: Vec<i64> = cells.iter().filter(|c| c.1 == d && &c.2 == shift).map(|c| c.0).collect();
            assert_eq!(on.len(), need, "day {d} {shift}: {on:?}");
            assert!(on.iter().any(|p| sworn(*p)), "a sworn officer on day {d} {shift}: {on:?}");
            assert!(on.iter().any(|p| party(*p)), "a party member on day {d} {shift}: {on:?}");
        }
    }
    // 11 hours' rest: nobody works the day shift the morning after a night.
    for (p, d, v) in &cells {
        if v == &night {
            assert!(!cells.iter().any(|c| c.0 == *p && c.1 == d + 1 && c.2 == day), "{p} day {d}");
        }
    }
    // Explain a night cell, then try to put that person on the next morning's day shift.
    let (p, d, _) = cells.iter().find(|c| c.2 == night && c.1 < 6).unwrap().clone();
    let next = day_after(&first, d + 1);
    let (s, x) =
        send(c.get(t.url(&format!("/api/duty/rosters/{id}/explain?person_id={p}&day={}", day_after(&first, d))))).await;
    assert_eq!(s, StatusCode::OK, "{x}");
    assert!(x["reasons"].to_string().contains("夜班"), "{x}");
    let edit = json!({"person_id": p, "day": next, "value": day});
    let (s, e) = send(c.post(t.url(&format!("/api/duty/rosters/{id}/cells"))).json(&edit)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (f, m) = fields(&e);
    assert_eq!(f, ["例外理由"]);
    assert!(m.contains("两班之间至少休息 11 小时"), "{m}");
    let edit = json!({"person_id": p, "day": next, "value": day, "override_reason": "交接需要，本人同意"});
    let (s, x) = send(c.post(t.url(&format!("/api/duty/rosters/{id}/cells"))).json(&edit)).await;
    assert_eq!(s, StatusCode::OK, "{x}");
    let (_, view) = send(c.get(t.url(&format!("/api/duty/rosters/{id}?unit_id={unit}")))).await;
    assert_eq!(view["roster"]["hard_violations"], 1, "the override is counted: {}", view["roster"]);
    assert!(roster_cells(&view).contains(&(p, d + 1, day.clone())));
    // Publishing writes the shifts and tells each rostered person by SMS (a real local gateway).
    let (base, got) = sms_gateway().await;
    let (s, ch) = send(c.post(t.url("/api/notify/channels")).json(
        &json!({"kind": "sms", "name": "短信网关", "url": format!("{base}/sms"), "min_interval_ms": 0, "link_base": t.url("")}),
    ))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{ch}");
    let (s, out) = send(c.post(t.url(&format!("/api/duty/rosters/{id}/publish")))).await;
    assert_eq!(s, StatusCode::OK, "{out}");
    let rostered: std::collections::BTreeSet<i64> = roster_cells(&view).iter().map(|c| c.0).collect();
    assert_eq!(out["assignments"], 7 * 3 + 1, "{out}");
    assert_eq!(out["notified"].as_u64().unwrap() as usize, rostered.len(), "{out}");
    let (_, board) = send(c.get(t.url(&format!("/api/duty/posts/{post}/board?day={first}")))).await;
    assert_eq!(board["shifts"][0]["rostered"], 2, "{board}");
    let (s, again) = send(c.post(t.url(&format!("/api/duty/rosters/{id}/publish")))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{again}");
    let now = bastion_core::time::now_ms();
    eventually("the SMS of every rostered person", std::time::Duration::from_secs(20), || async {
        t.app.send_due(now + 60_000).await.unwrap();
        (got.lock().unwrap().len() >= rostered.len()).then_some(())
    })
    .await;
    let texts = got.lock().unwrap().clone();
    assert!(texts.iter().all(|(_, m)| m.starts_with("【排班】") && m.contains("个班次")), "{texts:?}");
    // Someone with shifts in the first days falls sick: a new draft covers their shifts.
    let victim = cells.iter().find(|c| c.1 <= 1).unwrap().0;
    let no = ids.iter().find(|(_, v)| **v == victim).unwrap().0.clone();
    let (s, fix) = send(
        c.post(t.url(&format!("/api/duty/rosters/{id}/repair")))
            .json(&json!({"police_no": no, "from": first, "to": day_after(&first, 1), "reason": "病假"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{fix}");
    let changes = fix["changes"].as_array().unwrap();
    let forced = changes.iter().filter(|c| c["forced"] == true).count();
    assert!(forced >= 1 && changes.len() > forced, "their shifts removed and others put in: {fix}");
    assert!(changes.len() <= forced * 6, "few cells change: {fix}");
    let new_id = fix["roster_id"].as_i64().unwrap();
    let (_, fixed) = send(c.get(t.url(&format!("/api/duty/rosters/{new_id}?unit_id={unit}")))).await;
    assert_eq!(fixed["roster"]["parent_id"], id);
    assert_eq!(fixed["roster"]["short_shifts"], 0, "{}", fixed["roster"]);
    assert!(fixed["roster"]["reason"].as_str().unwrap().contains("病假"));
    let after = roster_cells(&fixed);
    assert!(!after.iter().any(|c| c.0 == victim && c.1 <= 1), "the sick officer is off on those days");
    assert_eq!(
        fixed["rows"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["changed"].as_array().unwrap().clone())
            .filter(|x| *x == true)
            .count(),
        changes.len(),
        "the grid marks every cell that changed, the sick officer's too"
    );
    let (s, _) = send(c.post(t.url(&format!("/api/duty/rosters/{new_id}/publish")))).await;
    assert_eq!(s, StatusCode::OK);
    let (_, old) = send(c.get(t.url(&format!("/api/duty/rosters/{id}")))).await;
    assert_eq!(old["roster"]["status"], "superseded");
    let (_, mine) = send(c.get(t.url(&format!("/api/duty/posts/{post}/board?day={first}")))).await;
    let names = mine.to_string();
    let victim_name = STAFF.iter().find(|s| s.0 == no).unwrap().1;
    assert!(!names.contains(victim_name), "{victim_name} is off the board: {names}");
    // Every step is in the audit log.
    let (_, audit) = send(t.login("auditadmin").await.get(t.url("/api/audit?module=duty&size=50"))).await;
    let audit = audit.to_string();
    for action in ["生成排班", "修改排班", "发布排班", "调整排班", "交接需要，本人同意"] {
        assert!(audit.contains(action), "{action} audited");
    }
}

async fn roster_bad_input_and_scope(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let (unit, _, _) = roster_station(&t, &c, "RS2", &STAFF[..4]).await;
    let today = bastion_core::time::today().to_string();
    let cases = [
        (json!({"unit_id": unit, "first_day": today, "days": 7}), "开始日期", "今天之后"),
        (json!({"unit_id": unit, "first_day": day_after(&today, 1), "days": 0}), "天数", "1 到 31"),
        (json!({"unit_id": unit, "first_day": day_after(&today, 1), "days": 3, "seconds": 99}), "计算时间", "1 到 10"),
        (json!({"unit_id": unit, "first_day": "2026-13-01", "days": 3}), "开始日期", ""),
    ];
    for (body, field, words) in cases {
        let (s, e) = send(c.post(t.url("/api/duty/rosters")).json(&body)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
        let (f, m) = fields(&e);
        assert!(f.contains(&field.to_string()) && m.contains(words), "{body}: {f:?} {m}");
    }
    // Four people cannot keep a night post staffed with a party member and rest: a clear refusal
    // or a draft that says how many shifts are short, never a silent gap.
    let (s, made) = send(
        c.post(t.url("/api/duty/rosters"))
            .json(&json!({"unit_id": unit, "first_day": day_after(&today, 1), "days": 7, "seconds": 1})),
    )
    .await;
    if s == StatusCode::CREATED {
        let (_, v) = send(c.get(t.url(&format!("/api/duty/rosters/{}", made["id"])))).await;
        let short = v["roster"]["short_shifts"].as_i64().unwrap() + v["roster"]["short_conditions"].as_i64().unwrap();
        let gaps = v["gaps"].as_array().unwrap().len() as i64;
        assert!(short > 0 && gaps > 0 || short == 0 && gaps == 0, "{}", v["roster"]);
    } else {
        assert_eq!(s, StatusCode::CONFLICT, "{made}");
    }
    // A leader-on-duty post whose unit has no party committee member: named, not a silent gap.
    let (s, _) = send(c.post(t.url("/api/duty/posts")).json(&json!({
        "name": "RS2领导带班", "kind": "lead", "unit_id": unit, "shifts": "带班 08:00-08:00 1"
    })))
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, e) = send(
        c.post(t.url("/api/duty/rosters"))
            .json(&json!({"unit_id": unit, "first_day": day_after(&today, 1), "days": 3})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(fields(&e).1.contains("党委委员"), "{e}");
    // A unit without posts.
    let empty = new_unit(&t, "HQ", "RS2E", "无岗位组").await;
    let (s, e) = send(
        c.post(t.url("/api/duty/rosters"))
            .json(&json!({"unit_id": empty, "first_day": day_after(&today, 1), "days": 3})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(fields(&e).1.contains("没有岗位"), "{e}");
    // A station leader elsewhere sees no roster of this unit; an officer cannot generate one.
    let (s, list) = send(t.login("secretary").await.get(t.url("/api/duty/rosters"))).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!list.to_string().contains("排班测试所RS2"), "{list}");
    let (s, _) = send(
        t.login("officer")
            .await
            .post(t.url("/api/duty/rosters"))
            .json(&json!({"unit_id": unit, "first_day": day_after(&today, 1), "days": 3})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// A local SMS gateway that keeps (mobile, text) of every message.
async fn sms_gateway() -> (String, std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>) {
    use axum::extract::State;
    type Got = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;
    let got: Got = Default::default();
    let app = axum::Router::new()
        .route(
            "/sms",
            axum::routing::post(|State(g): State<Got>, axum::Json(b): axum::Json<Value>| async move {
                g.lock()
                    .unwrap()
                    .push((b["mobile"].as_str().unwrap_or("").into(), b["content"].as_str().unwrap_or("").into()));
                axum::Json(json!({"result": "accepted"}))
            }),
        )
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, got)
}

async fn handover_state_machine(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let officer = t.login("officer").await;
    let (_, mine) = send(officer.get(t.url("/api/duty/my-shifts"))).await;
    let now = bastion_core::time::now_ms();
    let shift = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["starts_at"].as_i64().unwrap() <= now && now < a["ends_at"].as_i64().unwrap())
        .cloned()
        .expect("the demo officer has a shift running now");
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

/// A group bot that keeps the text of every message.
async fn group_bot() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use axum::extract::State;
    type Got = std::sync::Arc<std::sync::Mutex<Vec<String>>>;
    let got: Got = Default::default();
    let app = axum::Router::new()
        .route(
            "/wecom",
            axum::routing::post(|State(g): State<Got>, axum::Json(b): axum::Json<Value>| async move {
                g.lock().unwrap().push(b["text"]["content"].as_str().unwrap_or("").into());
                axum::Json(json!({"errcode": 0, "errmsg": "ok"}))
            }),
        )
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, got)
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
    t.app.send_due(bastion_core::time::now_ms() + 60_000).await.unwrap();
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

async fn command_structure(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    // The demo operation has its leading group, HQ special team and ten work groups.
    let (s, v) = send(c.get(t.url("/api/duty/command"))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let groups = v["groups"].as_array().unwrap().clone();
    let kinds: Vec<&str> = groups.iter().map(|g| g["group"]["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "leading").count(), 1);
    assert_eq!(kinds.iter().filter(|k| **k == "hq").count(), 1);
    assert_eq!(kinds.iter().filter(|k| **k == "work").count(), 10);
    for g in &groups {
        let leaders = g["members"].as_array().unwrap().iter().filter(|m| m["role"] == "leader").count();
        assert_eq!(leaders, 1, "one leader in {}", g["group"]["name"]);
    }
    let op = v["operation_id"].as_i64().unwrap();
    // The printable chart (A4 landscape PDF) names every group and its leader.
    let r = c.get(t.url(&format!("/duty/command/print?operation_id={op}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf: String = super::pdf::text(&r.bytes().await.unwrap()).split_whitespace().collect();
    for g in &groups {
        let name = g["group"]["name"].as_str().unwrap();
        let leader = g["members"].as_array().unwrap().iter().find(|m| m["role"] == "leader").unwrap();
        assert!(pdf.contains(name) && pdf.contains(leader["name"].as_str().unwrap()), "{name} in {pdf:.600}");
    }
    // A new work group; a second leading group is refused by name.
    let (s, g) = send(c.post(t.url("/api/duty/command/groups")).json(
        &json!({"operation_id": op, "kind": "work", "name": "隔离点安保组", "remit": "集中隔离点周边巡逻和秩序维护"}),
    ))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    let gid = g["id"].as_i64().unwrap();
    let (s, e) = send(
        c.post(t.url("/api/duty/command/groups"))
            .json(&json!({"operation_id": op, "kind": "leading", "name": "第二领导小组"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, e) =
        send(c.post(t.url("/api/duty/command/groups")).json(&json!({"operation_id": op, "kind": "team", "name": "x"})))
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (f, _) = fields(&e);
    assert!(f.contains(&"组别类型".to_string()) && f.contains(&"组名".to_string()), "{e}");
    // People: one leader; a person may be in several groups; a second leader is refused by name.
    let a = person(&t, "S02", "C00001", "甲组长", DutyStatus::OnDuty).await;
    let b = person(&t, "S02", "C00002", "乙组员", DutyStatus::OnDuty).await;
    let url = t.url(&format!("/api/duty/command/groups/{gid}/members"));
    let (s, _) = send(c.post(&url).json(&json!({"police_no": "C00001", "role": "组长"}))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = send(c.post(&url).json(&json!({"person_id": b, "role": "member"}))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = send(c.post(&url).json(&json!({"person_id": b, "role": "leader"}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(e["message"].as_str().unwrap().contains("甲组长"), "{e}");
    let other = groups.iter().find(|g| g["group"]["kind"] == "work").unwrap()["group"]["id"].as_i64().unwrap();
    let (s, _) = send(
        c.post(t.url(&format!("/api/duty/command/groups/{other}/members")))
            .json(&json!({"person_id": a, "role": "deputy"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = send(c.get(t.url(&format!("/api/duty/command?operation_id={op}")))).await;
    let places = v["groups"].as_array().unwrap().iter().filter(|g| g["members"].to_string().contains("甲组长")).count();
    assert_eq!(places, 2, "one person, two places");
    let (s, _) = send(c.delete(t.url(&format!("/api/duty/command/groups/{gid}/members/{b}")))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = send(c.delete(t.url(&format!("/api/duty/command/groups/{gid}/members/{b}")))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Only the command may change it; the desk reads it.
    let desk = t.login("duty").await;
    let (s, _) = send(desk.get(t.url("/api/duty/command"))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = send(desk.post(&url).json(&json!({"person_id": b, "role": "member"}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, audit) = send(t.login("auditadmin").await.get(t.url("/api/audit?module=duty&size=50"))).await;
    let audit = audit.to_string();
    for action in ["新增指挥体系组别", "编入指挥体系", "移出指挥体系"] {
        assert!(audit.contains(action), "{action} audited");
    }
}

async fn swaps_keep_the_rules(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let (_, post) = new_post(&t, &c, "换班测试岗", "S01", "白班 08:00-20:00 1\n夜班 20:00-08:00 1").await;
    let post = post["id"].as_i64().unwrap();
    let a = person(&t, "S01", "W00001", "换甲", DutyStatus::OnDuty).await;
    let b = person(&t, "S01", "W00002", "换乙", DutyStatus::OnDuty).await;
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

both_backends!(
    calendar_feed_is_revocable,
    dashboard_counts_shifts_not_taken_over,
    swaps_keep_the_rules,
    command_structure,
    roster_generate_edit_publish_repair,
    roster_bad_input_and_scope,
    handover_state_machine,
    late_sign_in_alerts_once
);
