//! Party organisation (党建) over real HTTP on both backends: a temporary branch's life (proposed,
//! approved by another account with a document number, closed when its operation closes) with
//! secondment and the acts it may not perform; what each role may see; petitions formed into an
//! assault team whose results are summed; the pipeline refusing a step out of order or too early
//! with the rule and the date, and a 火线入党 waiver.

use bastion_core::org::{Category, DutyStatus, PoliticalStatus, Sex};
use bastion_store::org::{NewPerson, UnitId};
use bastion_testkit::{both_backends, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::recall::unit_id;

/// A 16×16 PNG with a few dark strokes: a signature.
pub(super) const SIGNED: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAS0lEQVR4nKWTiQkAMAgDs//SdoD6nEYQQomHFpWk0D3iE5fiC6T0Esjo6Qy4y8y4/qco9BqCZnayBWcat07ecDGGWItkrbJ1TNY5PxIBLdPOsbqpAAAAAElFTkSuQmCC";
/// The same size, all transparent: an untouched canvas.
const BLANK: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAEklEQVR4nGNgGAWjYBSMAggAAAQQAAFVN1rQAAAAAElFTkSuQmCC";

pub(super) async fn send(r: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let r = r.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The fields an invalid answer names, and all its messages joined.
pub(super) fn fields(v: &Value) -> (Vec<String>, String) {
    let errs = v["errors"].as_array().cloned().unwrap_or_default();
    let f = errs.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect();
    let mut m = errs.iter().map(|e| e["message"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>().join("；");
    if m.is_empty() {
        m = v["message"].as_str().unwrap_or("").to_string();
    }
    (f, m)
}

/// A person of `unit` written straight to the store.
pub(super) async fn person(t: &TestApp, unit: &str, police_no: &str, status: PoliticalStatus, birth: &str) -> i64 {
    let unit = UnitId(unit_id(t, unit).await);
    let mut tx = t.app.store.begin().await.unwrap();
    let p = NewPerson {
        police_no: police_no.into(),
        name: format!("测试{police_no}"),
        category: Category::Police,
        sex: Sex::Male,
        birth_date: Some(birth.into()),
        hire_date: None,
        id_number: None,
        mobile: None,
        unit_id: unit,
        position: None,
        political_status: status,
        duty_status: DutyStatus::OnDuty,
        police_types: vec![],
        skills: vec![],
    };
    let id = t.app.store.insert_person(&mut tx, &p).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    id.0
}

pub(super) async fn org_named(c: &reqwest::Client, t: &TestApp, name: &str) -> Value {
    let (s, orgs) = send(c.get(t.url("/api/party/orgs"))).await;
    assert_eq!(s, StatusCode::OK, "{orgs}");
    orgs.as_array().unwrap().iter().find(|o| o["name"] == name).cloned().unwrap_or_else(|| panic!("{name} in {orgs}"))
}

/// Full members of a branch (by its id), read as the committee.
pub(super) async fn full_members(c: &reqwest::Client, t: &TestApp, branch: i64) -> Vec<i64> {
    let (s, d) = send(c.get(t.url(&format!("/api/party/orgs/{branch}")))).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "full")
        .map(|m| m["person_id"].as_i64().unwrap())
        .collect()
}

/// How many audit records carry this action.
pub(super) async fn audited(t: &TestApp, action: &str) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(t.app.store.reader())
        .await
        .unwrap()
        .get::<i64, _>("n")
}

pub(super) fn day(offset: i64) -> String {
    let today = bastion_core::time::today();
    today.checked_add(jiff::Span::new().days(offset)).unwrap().to_string()
}

async fn temporary_branch_lifecycle(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let commander = t.login("commander").await;
    let secretary = t.login("secretary").await;
    // An operation of its own, so closing it touches only this test's branch.
    let (s, op) = send(
        commander.post(t.url("/api/operations")).json(&json!({"name": "城关卡点专项行动", "start_date": day(-3)})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{op}");
    let op = op["id"].as_i64().unwrap();
    let home = org_named(&commander, &t, "城关派出所党支部").await;
    let home_id = home["id"].as_i64().unwrap();
    let members = full_members(&commander, &t, home_id).await;
    let (sec, m2) = (members[0], members[1]);
    let s01 = unit_id(&t, "S01").await;
    let proposal = json!({"name": "城关测试卡点临时党支部", "operation_id": op, "unit_id": s01, "post": "城关测试卡点",
        "secretary_id": sec, "member_ids": [m2]});

    // Bad input: each field named with its rule; nothing written.
    let (s, v) = send(secretary.post(t.url("/api/party/orgs/temporary")).json(&json!({}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (f, _) = fields(&v);
    for want in ["支部名称", "行动", "所属单位", "岗位", "书记"] {
        assert!(f.contains(&want.to_string()), "{want} in {f:?}");
    }
    let mut bad = proposal.clone();
    bad["name"] = json!("城关测试卡点支部");
    let (s, v) = send(secretary.post(t.url("/api/party/orgs/temporary")).json(&bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).1.contains("须以“临时党支部”结尾"), "{v}");
    let masses = person(&t, "S01", "880001", PoliticalStatus::Masses, "1990-01-01").await;
    let mut bad = proposal.clone();
    bad["member_ids"] = json!([masses]);
    let (s, v) = send(secretary.post(t.url("/api/party/orgs/temporary")).json(&bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).1.contains("不是党员"), "{v}");
    // Another unit's post is outside the secretary's scope.
    let mut other = proposal.clone();
    other["unit_id"] = json!(unit_id(&t, "D06").await);
    let (s, _) = send(secretary.post(t.url("/api/party/orgs/temporary")).json(&other)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Proposed by the secretary, approved by the committee under a document number.
    let (s, v) = send(secretary.post(t.url("/api/party/orgs/temporary")).json(&proposal)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let tmp = v["id"].as_i64().unwrap();
    let (_, d) = send(secretary.get(t.url(&format!("/api/party/orgs/{tmp}")))).await;
    assert_eq!(d["org"]["status"], "proposed");
    let (s, v) = send(
        secretary
            .post(t.url(&format!("/api/party/orgs/{tmp}/records")))
            .json(&json!({"act": "study", "on_date": day(0), "title": "学习防控要求"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "not active before approval: {v}");
    let (s, _) = send(
        secretary.post(t.url(&format!("/api/party/orgs/{tmp}/approve"))).json(&json!({"doc_no": "青公党〔2026〕9号"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a secretary does not approve");
    // It waits on the committee's home page.
    let home = commander.get(t.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("城关测试卡点临时党支部 待批准成立"), "commander's to-do list");
    let (s, v) =
        send(commander.post(t.url(&format!("/api/party/orgs/{tmp}/approve"))).json(&json!({"doc_no": "同意"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).0.contains(&"批准文号".to_string()), "{v}");
    let (s, v) = send(
        commander.post(t.url(&format!("/api/party/orgs/{tmp}/approve"))).json(&json!({"doc_no": "青公党〔2026〕9号"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["status"].as_str(), v["approval_doc_no"].as_str()), (Some("active"), Some("青公党〔2026〕9号")));
    let (s, _) = send(
        commander.post(t.url(&format!("/api/party/orgs/{tmp}/approve"))).json(&json!({"doc_no": "青公党〔2026〕9号"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "approved once only");
    // The proposer may not approve their own proposal.
    let mut own = proposal.clone();
    own["name"] = json!("城关第二测试卡点临时党支部");
    let (s, v) = send(commander.post(t.url("/api/party/orgs/temporary")).json(&own)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let own = v["id"].as_i64().unwrap();
    let (s, v) = send(
        commander.post(t.url(&format!("/api/party/orgs/{own}/approve"))).json(&json!({"doc_no": "青公党〔2026〕10号"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(fields(&v).1.contains("提请人与批准人不能是同一账号"), "{v}");

    // Committee members: a temporary branch's are appointed by the committee; a branch's follow its
    // size and the three-year term.
    let appoint = |c: &reqwest::Client, org: i64, body: Value| {
        c.post(t.url(&format!("/api/party/orgs/{org}/officers"))).json(&body)
    };
    let (s, v) = send(appoint(&secretary, tmp, json!({"person_id": m2, "role": "deputy", "term_start": day(0)}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(fields(&v).1.contains("由批准其成立的党组织"), "{v}");
    let (s, v) = send(appoint(&commander, tmp, json!({"person_id": m2, "role": "deputy", "term_start": day(0)}))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, d) = send(commander.get(t.url(&format!("/api/party/orgs/{home_id}")))).await;
    let officers: Vec<i64> =
        d["officers"].as_array().unwrap().iter().map(|o| o["person_id"].as_i64().unwrap()).collect();
    assert!(!officers.is_empty() && d["officers"][0]["role"] == "secretary", "{d}");
    let free = *members.iter().find(|m| !officers.contains(m)).unwrap();
    let (s, v) = send(appoint(
        &secretary,
        home_id,
        json!({"person_id": masses, "role": "deputy", "term_start": day(0), "term_end": day(700)}),
    ))
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).1.contains("不是“城关派出所党支部”的党员"), "{v}");
    let (s, v) = send(appoint(
        &secretary,
        home_id,
        json!({"person_id": free, "role": "deputy", "term_start": day(0), "term_end": day(1500)}),
    ))
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).1.contains("任期一般为三年"), "{v}");
    let (s, v) = send(appoint(
        &secretary,
        home_id,
        json!({"person_id": free, "role": "deputy", "term_start": day(0), "term_end": day(1000)}),
    ))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["role"], "deputy");
    let other = *members.iter().find(|m| !officers.contains(m) && **m != free).unwrap();
    let (s, v) = send(appoint(
        &secretary,
        home_id,
        json!({"person_id": other, "role": "副书记", "term_start": day(0), "term_end": day(1000)}),
    ))
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).1.contains("已有副书记"), "{v}");

    // Secondment: the home branch never moves.
    let (_, d) = send(commander.get(t.url(&format!("/api/party/orgs/{tmp}")))).await;
    let seconded: Vec<(i64, String, String)> = d["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["person_id"].as_i64().unwrap(),
                m["branch_name"].as_str().unwrap().into(),
                m["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        seconded,
        vec![
            (sec, "城关派出所党支部".to_string(), "secretary".to_string()),
            (m2, "城关派出所党支部".to_string(), "member".to_string())
        ]
    );
    let (_, rec) = send(commander.get(t.url(&format!("/api/party/members/{m2}")))).await;
    assert_eq!(rec["member"]["branch_name"], "城关派出所党支部", "{rec}");
    assert!(rec["secondments"].to_string().contains("城关测试卡点临时党支部"), "{rec}");
    assert!(full_members(&commander, &t, home_id).await.contains(&m2));

    // What a temporary branch may not do, refused with the rule named; study is fine.
    for (act, words) in
        [("dues", "收缴党费"), ("admission", "发展党员"), ("discipline", "处分处置党员"), ("election", "选举和换届")]
    {
        let (s, v) = send(
            secretary
                .post(t.url(&format!("/api/party/orgs/{tmp}/records")))
                .json(&json!({"act": act, "on_date": day(0), "title": "支部工作"})),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{act}: {v}");
        let (f, m) = fields(&v);
        assert_eq!(f, vec!["事项".to_string()]);
        assert!(m.contains("临时党支部不能办理") && m.contains(words) && m.contains("不收缴党费"), "{m}");
    }
    let (s, v) = send(
        secretary
            .post(t.url(&format!("/api/party/orgs/{tmp}/records")))
            .json(&json!({"act": "study", "on_date": day(0), "title": "学习防控要求"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = send(
        secretary
            .post(t.url("/api/party/candidates"))
            .json(&json!({"person_id": masses, "branch_id": tmp, "applied_on": day(-1)})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).1.contains("临时党支部不能办理“发展党员”"), "{v}");

    // The operation closes: its temporary branch closes with it and stays as the archive.
    let (s, v) = send(
        commander
            .put(t.url(&format!("/api/operations/{op}")))
            .json(&json!({"name": "城关卡点专项行动", "start_date": day(-3), "end_date": day(0), "status": "closed"})),
    )
    .await;
    assert!(s.is_success(), "{s} {v}");
    let closed = org_named(&secretary, &t, "城关测试卡点临时党支部").await;
    assert_eq!(closed["status"], "closed");
    assert!(closed["closed_reason"].as_str().unwrap().contains("城关卡点专项行动"), "{closed}");
    let (s, _) = send(
        secretary
            .post(t.url(&format!("/api/party/orgs/{tmp}/records")))
            .json(&json!({"act": "study", "on_date": day(0), "title": "学习"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, v) = send(
        secretary
            .post(t.url("/api/party/orgs/temporary"))
            .json(&json!({"name": "城关第三测试卡点临时党支部", "operation_id": op,
        "unit_id": s01, "post": "城关测试卡点", "secretary_id": sec})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).1.contains("已结束"), "{v}");
    // The overview page's form takes police numbers (警号).
    let (_, d) = send(commander.get(t.url(&format!("/api/party/orgs/{home_id}")))).await;
    let nos: Vec<String> = d["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "full")
        .map(|m| m["police_no"].as_str().unwrap().to_string())
        .collect();
    let (_, ops) = send(commander.get(t.url("/api/operations"))).await;
    let active = ops.as_array().unwrap().iter().find(|o| o["status"] == "active").unwrap()["id"].as_i64().unwrap();
    let form = |sec: &str| {
        vec![
            ("name", "城关表单测试卡点临时党支部".to_string()),
            ("operation_id", active.to_string()),
            ("unit_id", s01.to_string()),
            ("post", "城关表单测试卡点".to_string()),
            ("secretary_police_no", sec.to_string()),
            ("member_police_nos", format!("{}、{}", nos[2], nos[3])),
        ]
    };
    let r = secretary.post(t.url("/party/temporary")).form(&form("000000")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("警号“000000”不存在"));
    let r = secretary.post(t.url("/party/temporary")).form(&form(&nos[1])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "on to the new branch's page");
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/party/branches/"), "{to}");
    let html = secretary.get(t.url(&to)).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("城关表单测试卡点临时党支部") && html.contains("待批准") && html.contains(&nos[3]),
        "branch page"
    );
    // The demo's own temporary branches of the active operation stay open.
    let (_, all) = send(commander.get(t.url("/api/party/orgs"))).await;
    let open = all.as_array().unwrap().iter().filter(|o| o["kind"] == "temporary" && o["status"] == "active").count();
    assert_eq!(open, 6, "{all}");
    // The branch page shows the archive and the secondment.
    let html = secretary.get(t.url(&format!("/party/branches/{tmp}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("已撤销") && html.contains("城关派出所党支部") && html.contains("组织关系不转接"), "{html}");
}

async fn scopes_per_role(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let commander = t.login("commander").await;
    let secretary = t.login("secretary").await;
    let officer = t.login("officer").await;
    let (_, all) = send(commander.get(t.url("/api/party/orgs"))).await;
    let all = all.as_array().unwrap().clone();
    assert_eq!(all.iter().filter(|o| o["kind"] == "branch").count(), 18);
    assert_eq!(all.iter().filter(|o| o["kind"] == "temporary").count(), 6);
    let members: i64 = all.iter().filter(|o| o["kind"] == "branch").map(|o| o["members"].as_i64().unwrap()).sum();
    assert_eq!(members, 457);
    // The secretary: the branches of their unit (and the checkpoint's temporary branch there).
    let (s, mine) = send(secretary.get(t.url("/api/party/orgs"))).await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = mine.as_array().unwrap().iter().map(|o| o["unit_name"].as_str().unwrap()).collect();
    assert!(!names.is_empty() && names.iter().all(|n| n.contains("城关")), "{names:?}");
    let crime = all.iter().find(|o| o["name"] == "刑事侦查大队党支部").unwrap()["id"].as_i64().unwrap();
    let (s, _) = send(secretary.get(t.url(&format!("/api/party/orgs/{crime}")))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let crime_member = full_members(&commander, &t, crime).await[0];
    let (s, _) = send(secretary.get(t.url(&format!("/api/party/members/{crime_member}")))).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "another unit's political record");
    let (s, _) = send(commander.get(t.url(&format!("/api/party/members/{crime_member}")))).await;
    assert_eq!(s, StatusCode::OK);
    let html = secretary.get(t.url(&format!("/party/branches/{crime}"))).send().await.unwrap();
    assert_eq!(html.status(), StatusCode::FORBIDDEN);
    // The officer: their own record only; no organisation lists.
    let (s, _) = send(officer.get(t.url("/api/party/orgs"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = send(officer.get(t.url(&format!("/api/party/members/{crime_member}")))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, me) = send(officer.get(t.url("/api/party/me"))).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert!(me["person_id"].as_i64().is_some());
    let html = officer.get(t.url("/party/me")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("我的党员档案") && html.contains(me["name"].as_str().unwrap()));
    // A secretary appointed to lead a temporary branch of another unit sees that branch.
    let lead = full_members(&commander, &t, crime).await[1];
    let leader = t.account("tmplead", "secretary", "S02", Some(lead)).await;
    let (s, op) = send(commander.get(t.url("/api/operations"))).await;
    assert_eq!(s, StatusCode::OK);
    let op = op.as_array().unwrap().iter().find(|o| o["status"] == "active").unwrap()["id"].as_i64().unwrap();
    let (s, v) = send(
        commander
            .post(t.url("/api/party/orgs/temporary"))
            .json(&json!({"name": "刑侦专班临时党支部", "operation_id": op,
        "unit_id": unit_id(&t, "D06").await, "post": "刑侦专班", "secretary_id": lead})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let led = v["id"].as_i64().unwrap();
    let (_, seen) = send(leader.get(t.url("/api/party/orgs"))).await;
    let seen: Vec<&str> = seen.as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert!(seen.contains(&"刑侦专班临时党支部") && !seen.contains(&"刑事侦查大队党支部"), "{seen:?}");
    let (s, _) = send(leader.get(t.url(&format!("/api/party/orgs/{led}")))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = send(leader.get(t.url(&format!("/api/party/orgs/{crime}")))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The overview page: the figures and the definition of "at the front".
    let html = commander.get(t.url("/party")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("457") && html.contains("一线党员：今天在值班排班中有班次"), "overview");
    let (_, ov) = send(commander.get(t.url("/api/party/overview"))).await;
    assert!(ov["front_total"].as_i64().unwrap() > 0, "demo shifts today include party members: {}", ov["front_total"]);
}

async fn petitions_teams_results(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let commander = t.login("commander").await;
    let officer = t.login("officer").await;
    let duty = t.login("duty").await;
    let body = "疫情就是命令，我志愿到卡点一线参加值守和排查工作。";
    // Bad input: every field named, nothing written.
    let (s, v) = send(
        officer.post(t.url("/api/party/petitions")).json(&json!({"body": "请战", "missions": [], "signature": BLANK})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (f, m) = fields(&v);
    assert_eq!(f, vec!["请战内容", "请战任务", "签名"]);
    assert!(m.contains("空白") && m.contains("至少选择一项"), "{m}");
    let (s, v) = send(
        officer
            .post(t.url("/api/party/petitions"))
            .json(&json!({"body": body, "missions": ["screening", "飞行"], "signature": SIGNED})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).1.contains("请战任务"), "{v}");
    let (_, before) = send(commander.get(t.url("/api/party/petitions"))).await;
    let before = before.as_array().unwrap().len();
    let (s, v) = send(
        officer
            .post(t.url("/api/party/petitions"))
            .json(&json!({"body": body, "missions": ["screening", "patrol"], "signature": SIGNED})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let p1 = v["id"].as_i64().unwrap();
    let (s, v) = send(duty.post(t.url("/api/party/petitions")).json(
        &json!({"body": "请求加入突击队，服从组织安排，冲锋在前。", "missions": "巡逻防控", "signature": SIGNED}),
    ))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let p2 = v["id"].as_i64().unwrap();
    let (_, after) = send(commander.get(t.url("/api/party/petitions"))).await;
    assert_eq!(after.as_array().unwrap().len(), before + 2);
    // The officer sees their own petitions only.
    let (_, mine) = send(officer.get(t.url("/api/party/petitions"))).await;
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["body"], body);
    let officer_person = mine[0]["person_id"].as_i64().unwrap();
    // The signature was checked and stored as a PNG.
    let r = commander.get(t.url(&format!("/api/party/petitions/{p1}/signature"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(r.bytes().await.unwrap().starts_with(b"\x89PNG"));

    // The committee forms a team from the two petitions.
    let team = json!({"name": "城关测试突击队", "leader_id": officer_person, "petition_ids": [p1, p2], "missions": "screening,patrol", "flag_date": day(-1), "operation_id": 1});
    let (s, _) = send(officer.post(t.url("/api/party/teams")).json(&team)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = send(commander.post(t.url("/api/party/teams")).json(&json!({"name": "队", "missions": ""}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (f, _) = fields(&v);
    for want in ["队名", "队长", "请战书", "任务类型", "授旗日期"] {
        assert!(f.contains(&want.to_string()), "{want} in {f:?}");
    }
    let (s, v) = send(commander.post(t.url("/api/party/teams")).json(&team)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let tid = v["id"].as_i64().unwrap();
    let mut again = team.clone();
    again["name"] = json!("城关第二测试突击队");
    let (s, v) = send(commander.post(t.url("/api/party/teams")).json(&again)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).1.contains("已编入“城关测试突击队”"), "{v}");
    let (_, mine) = send(officer.get(t.url("/api/party/petitions"))).await;
    assert_eq!(mine[0]["team_name"], "城关测试突击队");

    // Results from the phone, summed per day and team.
    let url = t.url(&format!("/api/party/teams/{tid}/results"));
    let (s, v) = send(officer.post(&url).json(&json!({"day": day(0), "households": "12", "patrols": 2}))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["households"], 12);
    let (s, v) = send(officer.post(&url).json(&json!({"day": day(0), "households": 8, "persuaded": 5}))).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        (v["households"].as_i64(), v["patrols"].as_i64(), v["persuaded"].as_i64()),
        (Some(20), Some(2), Some(5))
    );
    let (s, _) = send(commander.post(&url).json(&json!({"day": day(-1), "households": 5}))).await;
    assert_eq!(s, StatusCode::CREATED);
    // Refused: a non-member, a day before the flag, in the future, negative, all zero.
    let checkpoint = t.login("checkpoint").await;
    let (s, v) = send(checkpoint.post(&url).json(&json!({"day": day(0), "households": 1}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(fields(&v).1.contains("不是“城关测试突击队”的队员"), "{v}");
    for (input, words) in [
        (json!({"day": day(-2), "households": 1}), "授旗日期"),
        (json!({"day": day(1), "households": 1}), "不能晚于今天"),
        (json!({"day": day(0), "households": -1}), "摸底排查户数须为 0 到 100000"),
        (json!({"day": day(0)}), "请至少填写一项"),
    ] {
        let (s, v) = send(officer.post(&url).json(&input)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{input}: {v}");
        assert!(fields(&v).1.contains(words), "{input}: {v}");
    }
    let (_, teams) = send(officer.get(t.url("/api/party/teams"))).await;
    let teams = teams.as_array().unwrap();
    assert_eq!(teams.len(), 1, "a member sees their own teams");
    let mine = &teams[0];
    assert_eq!(mine["team"]["totals"]["households"], 25);
    assert_eq!(mine["team"]["members"], 2);
    let days: Vec<(String, i64)> = mine["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["day"].as_str().unwrap().to_string(), d["totals"]["households"].as_i64().unwrap()))
        .collect();
    assert_eq!(days, vec![(day(0), 20), (day(-1), 5)]);
    // The operation's figure is the sum over its teams (the demo's six and this one).
    let (_, all) = send(commander.get(t.url("/api/party/teams"))).await;
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 7);
    assert_eq!(all.iter().take(6).map(|v| v["team"]["members"].as_i64().unwrap()).sum::<i64>(), 116);
    let sum: i64 = all
        .iter()
        .filter(|v| v["team"]["operation_id"] == 1)
        .map(|v| v["team"]["totals"]["households"].as_i64().unwrap())
        .sum();
    let (_, op) = send(commander.get(t.url("/api/party/operations/1/results"))).await;
    assert_eq!(op["households"].as_i64(), Some(sum));
    // The committee's page form: repeated petition and mission boxes.
    let (s, v) =
        send(duty.post(t.url("/api/party/petitions")).json(
            &json!({"body": "再次请战：愿到交通管控一线，服从调遣。", "missions": "traffic", "signature": SIGNED}),
        ))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let p3 = v["id"].as_i64().unwrap();
    let (_, listed) = send(commander.get(t.url("/api/party/petitions"))).await;
    let leader = listed.as_array().unwrap().iter().find(|p| p["id"] == p3).unwrap()["person_id"].as_i64().unwrap();
    let form = [
        ("name", "交通管控突击队".to_string()),
        ("flag_date", day(0)),
        ("operation_id", "1".to_string()),
        ("missions", "traffic".to_string()),
        ("missions", "patrol".to_string()),
        ("leader_id", leader.to_string()),
        ("petition_ids", p3.to_string()),
    ];
    let r = commander.post(t.url("/party/teams")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = commander.get(t.url("/party/teams")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("交通管控突击队") && html.contains("交通管控、巡逻防控"), "team formed from the page");
    let r = commander.post(t.url("/party/teams")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The pages: the officer's phone list and the team card.
    let html = officer.get(t.url("/party/petitions")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("递交请战书") && html.contains(body) && html.contains("已编入"));
    let html = officer.get(t.url("/party/teams")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("城关测试突击队") && html.contains("摸底排查户数 25"), "teams page");
}

async fn pipeline_rules(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let commander = t.login("commander").await;
    let secretary = t.login("secretary").await;
    let home = org_named(&commander, &t, "城关派出所党支部").await["id"].as_i64().unwrap();
    let p = person(&t, "S01", "880101", PoliticalStatus::Masses, "1995-03-01").await;
    let young = person(&t, "S01", "880102", PoliticalStatus::Masses, &day(-365 * 17)).await;
    let applied = day(-10);
    // Too young: refused with the rule and the date.
    let (s, v) = send(
        secretary
            .post(t.url("/api/party/candidates"))
            .json(&json!({"person_id": young, "branch_id": home, "applied_on": applied})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).1.contains("入党须年满十八周岁") && fields(&v).1.contains("最早可于"), "{v}");
    let (s, v) = send(
        secretary
            .post(t.url("/api/party/candidates"))
            .json(&json!({"person_id": p, "branch_id": home, "applied_on": day(2)})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).1.contains("不能晚于今天"), "{v}");
    let (s, v) = send(
        secretary
            .post(t.url("/api/party/candidates"))
            .json(&json!({"person_id": p, "branch_id": home, "applied_on": applied})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let c = v["id"].as_i64().unwrap();
    let (s, v) = send(
        secretary
            .post(t.url("/api/party/candidates"))
            .json(&json!({"person_id": p, "branch_id": home, "applied_on": applied})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).1.contains("已在发展党员名单中"), "{v}");
    let step = |step: &str, on: String| json!({"step": step, "on_date": on});
    let url = t.url(&format!("/api/party/candidates/{c}/steps"));
    // Out of order.
    let (s, v) = send(secretary.post(&url).json(&step("candidate", day(0)))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).1.contains("之前须先完成“确定为入党积极分子”"), "{v}");
    let (s, v) = send(secretary.post(&url).json(&step("talked", day(-5)))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Too early: the rule and the date it becomes possible.
    let possible = bastion_core::time::parse_date("d", &applied)
        .unwrap()
        .checked_add(jiff::Span::new().months(3))
        .unwrap()
        .to_string();
    let (s, v) = send(secretary.post(&url).json(&step("activist", day(0)))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let m = fields(&v).1;
    assert!(m.contains("递交入党申请书满三个月方可确定为入党积极分子") && m.contains(&possible), "{m}");
    let (_, rows) = send(secretary.get(t.url("/api/party/pipeline"))).await;
    let row = rows.as_array().unwrap().iter().find(|r| r["candidate"]["id"] == c).unwrap().clone();
    assert_eq!(row["next"][0]["step"], "activist");
    assert_eq!(row["next"][0]["earliest"], possible.as_str());
    assert_eq!(row["next"][0]["possible_now"], false);
    // 火线入党: the committee waives the waiting time, with reason and document number.
    let wurl = t.url(&format!("/api/party/candidates/{c}/waiver"));
    let waiver = json!({"rules": "applicant_months", "reason": "卡点值守表现突出，经党委研究同意", "doc_no": "青公党〔2026〕12号"});
    let (s, _) = send(secretary.post(&wurl).json(&waiver)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) =
        send(commander.post(&wurl).json(&json!({"rules": "probation_year", "reason": "理由", "doc_no": ""}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (f, m) = fields(&v);
    assert!(
        f.contains(&"豁免的规则".to_string()) && f.contains(&"批准文号".to_string()) && m.contains("不能豁免"),
        "{v}"
    );
    let (s, v) = send(commander.post(&wurl).json(&waiver)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = send(secretary.post(&url).json(&step("activist", day(0)))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["candidate"]["stage"], "activist");
    // The year as an activist is not waived.
    let (s, v) = send(secretary.post(&url).json(&step("candidate", day(0)))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let a_year = bastion_core::time::today().checked_add(jiff::Span::new().years(1)).unwrap().to_string();
    assert!(fields(&v).1.contains("一年以上") && fields(&v).1.contains(&a_year), "{v}");
    let (_, rec) = send(commander.get(t.url(&format!("/api/party/members/{p}")))).await;
    assert_eq!(rec["political_status"], "activist", "{rec}");
    // Another branch's candidate is outside the secretary's scope.
    let (_, all) = send(commander.get(t.url("/api/party/pipeline"))).await;
    assert!(all.as_array().unwrap().len() > 30, "the demo pipeline");
    let other = all.as_array().unwrap().iter().find(|r| r["candidate"]["branch_name"] != "城关派出所党支部").unwrap()
        ["candidate"]["id"]
        .clone();
    let (s, _) =
        send(secretary.post(t.url(&format!("/api/party/candidates/{other}/steps"))).json(&step("talked", day(0))))
            .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The page names the rule.
    let html = secretary.get(t.url("/party/pipeline")).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("测试880101") && html.contains("入党积极分子经一年以上培养教育和考察方可确定为发展对象"),
        "pipeline page"
    );
    let r = secretary
        .post(t.url(&format!("/party/candidates/{c}/steps")))
        .form(&[("step", "candidate"), ("on_date", &day(0))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("最早可于"));
    // The dossier (.docx) carries the steps, the admission at the front and the blocking rule.
    let r = secretary.get(t.url(&format!("/party/candidates/{c}/dossier"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    let words: String = xml.split('<').filter_map(|p| p.split_once('>').map(|(_, t)| t)).collect();
    for want in
        ["发展党员档案（测试880101）", "递交入党申请书", &applied, "青公党〔2026〕12号", "一年以上", "城关派出所党支部"]
    {
        assert!(words.contains(want), "{want} in {words:.600}");
    }
    assert!(xml.contains("w:eastAsia"));
    let r = secretary.get(t.url(&format!("/party/candidates/{other}/dossier"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "another branch's dossier");
}

async fn applicant_own_page(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let secretary = t.login("secretary").await;
    let p = person(&t, "S01", "880301", PoliticalStatus::Masses, "1996-07-01").await;
    let q = person(&t, "S01", "880302", PoliticalStatus::Masses, "1997-02-03").await;
    let member = person(&t, "S01", "880303", PoliticalStatus::Member, "1985-02-03").await;
    let applicant = t.account("apply_a", "officer", "S01", Some(p)).await;
    let other = t.account("apply_b", "officer", "S01", Some(q)).await;
    let (s, v) = send(applicant.get(t.url("/api/party/application"))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["refused"].is_null() && v["record"].is_null(), "{v}");
    assert_eq!(v["branch"][1], "城关派出所党支部");
    let letter = "敬爱的党组织：我志愿加入中国共产党，拥护党的纲领，遵守党的章程，请党组织在实践中考验我。";
    let applied = day(-3);
    let (s, v) =
        send(applicant.post(t.url("/api/party/application")).json(&json!({"text": "", "applied_on": day(1)}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v).0, vec!["入党申请书", "申请日期"], "{v}");
    let (s, v) =
        send(applicant.post(t.url("/api/party/application")).json(&json!({"text": letter, "applied_on": applied})))
            .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // The secretary's pipeline: the applicant at the first stage, the talk due within a month.
    let (s, list) = send(secretary.get(t.url("/api/party/pipeline"))).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let row = list.as_array().unwrap().iter().find(|r| r["candidate"]["person_id"] == p).cloned().expect("in pipeline");
    assert_eq!(row["candidate"]["stage"], "applicant");
    assert_eq!(row["candidate"]["application"], letter);
    assert_eq!(row["candidate"]["steps"][0]["on_date"], applied.as_str());
    let deadline = bastion_core::time::parse_date("d", &applied)
        .unwrap()
        .checked_add(jiff::Span::new().months(1))
        .unwrap()
        .to_string();
    assert_eq!(row["next"][0]["step"], "talked");
    let due = row["next"][0]["due"].as_str().unwrap();
    assert!(due.contains("收到入党申请书后一个月内派人谈话") && due.contains(&deadline), "{due}");
    // The applicant's own record and page.
    let (_, v) = send(applicant.get(t.url("/api/party/application"))).await;
    assert_eq!(v["political_status"], "applicant");
    assert_eq!(v["record"]["candidate"]["stage"], "applicant");
    assert_eq!(v["record"]["next"][0]["step"], "talked");
    let page = applicant.get(t.url("/party/apply")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("入党申请人") && page.contains(&applied) && page.contains(&deadline), "{page}");
    // A second application: refused by the order rule, naming the field.
    let (s, v) =
        send(applicant.post(t.url("/api/party/application")).json(&json!({"text": letter, "applied_on": day(0)})))
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (f, m) = fields(&v);
    assert_eq!(f, vec!["入党申请书"]);
    assert!(m.contains("发展党员须按程序逐步进行") && m.contains("不能重复"), "{m}");
    // Another officer: their own (empty) record only; the applicant's is not theirs to read.
    let (_, v) = send(other.get(t.url("/api/party/application"))).await;
    assert!(v["record"].is_null() && v["person_id"] == q, "{v}");
    let (s, _) = send(other.get(t.url(&format!("/api/party/members/{p}")))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let page = other.get(t.url("/party/apply")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains(letter), "another officer sees the letter");
    // A member, and an account without a person in the registry.
    let m = t.account("apply_m", "officer", "S01", Some(member)).await;
    let (s, v) =
        send(m.post(t.url("/api/party/application")).json(&json!({"text": letter, "applied_on": day(0)}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (f, msg) = fields(&v);
    assert!(f == vec!["人员"] && msg.contains("已是正式党员"), "{v}");
    let nobody = t.account("apply_n", "officer", "S01", None).await;
    let (s, v) =
        send(nobody.post(t.url("/api/party/application")).json(&json!({"text": letter, "applied_on": day(0)}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (f, msg) = fields(&v);
    assert!(f == vec!["人员"] && msg.contains("人员名册"), "{v}");
}

both_backends!(
    temporary_branch_lifecycle,
    scopes_per_role,
    petitions_teams_results,
    pipeline_rules,
    applicant_own_page
);
