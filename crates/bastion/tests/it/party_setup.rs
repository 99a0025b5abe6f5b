//! Setting the party organisation up, over real HTTP on both backends: the committee sets up a
//! branch under its decision's document number (one committee only; bad input names the field);
//! a branch's secretary registers a member once and transfers one in from a branch of their own
//! scope, never from another's; a temporary branch holds no member's organisation relationship;
//! every write is audited and the pages offer the forms to those who may use them. A branch marks
//! its vanguard posts and members' responsibility areas, shown on the posts' duty boards. Every
//! organisation's member count equals its rows.

use bastion_core::org::PoliticalStatus;
use bastion_testkit::{both_backends, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::party::{audited, fields, org_named, person, send};
use super::recall::unit_id;

async fn members(c: &reqwest::Client, t: &TestApp, branch: i64) -> Vec<String> {
    let (s, d) = send(c.get(t.url(&format!("/api/party/orgs/{branch}")))).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["members"].as_array().unwrap().iter().map(|m| m["police_no"].as_str().unwrap().to_string()).collect()
}

async fn branches_members_and_transfers(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let committee = t.login("commander").await;
    let secretary = t.login("secretary").await;
    let s01 = unit_id(&t, "S01").await;
    let branch = json!({"name": "城关派出所第二党支部", "unit_id": s01, "doc_no": "青公党〔2026〕12号"});

    // Only the committee sets a branch up; bad input names the field and the rule.
    let (s, _) = send(secretary.post(t.url("/api/party/orgs")).json(&branch)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let bad = json!({"name": "城关第二组", "unit_id": s01, "doc_no": "青公党文件"});
    let (s, v) = send(committee.post(t.url("/api/party/orgs")).json(&bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (f, m) = fields(&v);
    assert!(f.contains(&"组织名称".to_string()) && f.contains(&"批准文号".to_string()), "{v}");
    assert!(m.contains("须以“支部”结尾") && m.contains("须写明发文字号"), "{m}");
    let (s, v) =
        send(committee.post(t.url("/api/party/orgs")).json(&json!({"kind": "temporary", "name": "城关临时党支部",
        "unit_id": s01, "doc_no": "青公党〔2026〕13号"})))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(fields(&v).1.contains("须提请成立并经党委批准"), "{v}");
    let (s, v) = send(committee.post(t.url("/api/party/orgs")).json(&json!({"kind": "committee",
        "name": "中共青岚县公安局第二委员会", "unit_id": s01, "doc_no": "青公党〔2026〕14号"})))
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(fields(&v).1.contains("一个局只设一个党委"), "{v}");
    let (s, v) = send(committee.post(t.url("/api/party/orgs")).json(&branch)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let new = v["id"].as_i64().unwrap();
    let org = org_named(&committee, &t, "城关派出所第二党支部").await;
    assert_eq!((org["kind"].as_str(), org["status"].as_str()), (Some("branch"), Some("active")), "{org}");
    assert_eq!(org["approval_doc_no"], "青公党〔2026〕12号");
    assert_eq!(audited(&t, "设立党支部").await, 1);
    let (s, v) = send(committee.post(t.url("/api/party/orgs")).json(&branch)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(fields(&v).1.contains("组织名称“城关派出所第二党支部”已存在"), "{v}");

    // The secretary registers a member of their unit in the new branch, once.
    let no = "S01901";
    let id = person(&t, "S01", no, PoliticalStatus::Masses, "1990-03-01").await;
    let register = |body: Value| secretary.post(t.url(&format!("/api/party/orgs/{new}/members"))).json(&body);
    let (s, v) = send(register(json!({"police_no": no, "kind": "正式党员", "joined_on": "2099-01-01"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(fields(&v).1.contains("入党日期不能晚于今天"), "{v}");
    let (s, v) = send(register(json!({"police_no": "S09999", "kind": "full", "joined_on": "2015-07-01"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v).0, vec!["警号"], "{v}");
    assert!(members(&secretary, &t, new).await.is_empty(), "nothing half-written");
    let (s, v) = send(register(json!({"police_no": no, "kind": "正式党员", "joined_on": "2015-07-01"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!((v["branch_id"].as_i64(), v["kind"].as_str()), (Some(new), Some("full")), "{v}");
    assert_eq!(members(&secretary, &t, new).await, vec![no.to_string()]);
    let (s, p) = send(committee.get(t.url(&format!("/api/people/{id}")))).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["political_status"], "member", "the status follows: {p}");
    let (s, v) = send(register(json!({"police_no": no, "kind": "full", "joined_on": "2015-07-01"}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(fields(&v).1.contains("不能重复登记"), "{v}");
    assert_eq!(audited(&t, "登记党员").await, 1);

    // A temporary branch holds no member's organisation relationship.
    let (_, orgs) = send(committee.get(t.url("/api/party/orgs"))).await;
    let temporary = orgs.as_array().unwrap().iter().find(|o| o["kind"] == "temporary").unwrap()["id"].clone();
    let (s, v) = send(committee.post(t.url(&format!("/api/party/orgs/{temporary}/members"))).json(&json!({
        "police_no": "S01902", "kind": "full", "joined_on": "2015-07-01"})))
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(fields(&v).1.contains("临时党支部不接收党员组织关系"), "{v}");

    // A member of 城关派出所党支部 is transferred in: the old branch loses them, the new one has them.
    let old = org_named(&committee, &t, "城关派出所党支部").await["id"].as_i64().unwrap();
    let before = members(&secretary, &t, old).await;
    let moving = before[0].clone();
    let transfer =
        |branch: i64, body: Value| secretary.post(t.url(&format!("/api/party/orgs/{branch}/transfers"))).json(&body);
    let (s, v) = send(transfer(new, json!({"police_no": moving}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v).0, vec!["转接原因"], "{v}");
    let (s, v) = send(transfer(new, json!({"police_no": moving, "reason": "调整支部设置"}))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["branch_name"], "城关派出所第二党支部", "{v}");
    let after = members(&secretary, &t, old).await;
    assert_eq!(after.len(), before.len() - 1);
    assert!(!after.contains(&moving) && members(&secretary, &t, new).await.contains(&moving));
    let (s, v) = send(transfer(new, json!({"police_no": moving, "reason": "再转一次"}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(fields(&v).1.contains("已在城关派出所第二党支部"), "{v}");
    assert_eq!(audited(&t, "组织关系转接").await, 1);
    // Not from a branch outside the secretary's scope, and not a non-member.
    let traffic = org_named(&committee, &t, "交警大队第二党支部").await["id"].as_i64().unwrap();
    let outsider = members(&committee, &t, traffic).await[0].clone();
    let (s, v) = send(transfer(new, json!({"police_no": outsider, "reason": "调整支部设置"}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(members(&committee, &t, traffic).await.contains(&outsider), "left where it was");
    person(&t, "S01", "S01903", PoliticalStatus::Masses, "1992-05-01").await;
    let (s, v) = send(transfer(new, json!({"police_no": "S01903", "reason": "调整支部设置"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(fields(&v).1.contains("不是党员"), "{v}");

    // The pages: the committee sees the set-up form; the secretary the branch's member forms and
    // a refusal on the page naming the rule.
    let page = |c: &reqwest::Client, path: &str| {
        let r = c.get(t.url(path));
        async move { r.send().await.unwrap().text().await.unwrap() }
    };
    assert!(page(&committee, "/party").await.contains("data-testid=\"set-up-form\""));
    assert!(!page(&secretary, "/party").await.contains("data-testid=\"set-up-form\""));
    let html = page(&secretary, &format!("/party/branches/{new}")).await;
    assert!(html.contains("data-testid=\"register-form\"") && html.contains("data-testid=\"transfer-form\""));
    let r = secretary
        .post(t.url(&format!("/party/branches/{new}/members")))
        .form(&[("police_no", no), ("kind", "full"), ("joined_on", "2015-07-01")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("不能重复登记"), "the page shows the refusal");

    // Every organisation's member count (counters kept by triggers) equals a count of the rows:
    // the branches the registration and the transfer changed, and the members seconded to a
    // temporary branch.
    let (_, orgs) = send(committee.get(t.url("/api/party/orgs"))).await;
    let mut seconded = 0;
    for o in orgs.as_array().unwrap() {
        let sql = if o["kind"] == "temporary" {
            "SELECT COUNT(*) FROM party_secondments WHERE org_id = $1"
        } else {
            "SELECT COUNT(*) FROM party_members WHERE branch_id = $1"
        };
        let n: i64 = sqlx::query_scalar(sql).bind(o["id"].as_i64()).fetch_one(t.app.store.reader()).await.unwrap();
        assert_eq!(o["members"].as_i64(), Some(n), "{o}");
        if o["kind"] == "temporary" {
            seconded += n;
        }
    }
    assert!(seconded > 0, "a temporary branch with members seconded to it is among them");
    let count = |id: i64| orgs.as_array().unwrap().iter().find(|o| o["id"] == id).unwrap()["members"].as_i64();
    assert_eq!((count(old), count(new)), (Some(after.len() as i64), Some(2)), "one registered and one moved in");
}

/// A branch marks posts of its scope: a vanguard post, and a member answering for an area; each
/// once per post; the post's duty board shows them; only the branch that set a mark takes it off.
async fn vanguard_posts_and_areas(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let committee = t.login("commander").await;
    let secretary = t.login("secretary").await;
    let branch = org_named(&committee, &t, "城关派出所党支部").await["id"].as_i64().unwrap();
    let (_, posts) = send(committee.get(t.url("/api/duty/posts"))).await;
    let post_named = |name: &str| {
        posts.as_array().unwrap().iter().find(|p| p["name"].as_str().unwrap().contains(name)).unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (ours, theirs) = (post_named("幸福里"), post_named("G319"));
    let mark =
        |c: &reqwest::Client, org: i64, body: Value| c.post(t.url(&format!("/api/party/orgs/{org}/posts"))).json(&body);

    let (s, v) = send(mark(&secretary, branch, json!({"post_id": ours, "kind": "vanguard"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!((v["kind"].as_str(), v["org_name"].as_str()), (Some("vanguard"), Some("城关派出所党支部")), "{v}");
    let (s, v) = send(mark(&secretary, branch, json!({"post_id": ours, "kind": "党员先锋岗"}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(fields(&v).1.contains("已是党员先锋岗（城关派出所党支部）"), "{v}");
    let (s, v) = send(mark(&secretary, branch, json!({"post_id": ours, "kind": "area"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v).0, vec!["负责党员", "责任区范围"], "{v}");
    let traffic = org_named(&committee, &t, "交警大队第二党支部").await["id"].as_i64().unwrap();
    let (_, d) = send(committee.get(t.url(&format!("/api/party/orgs/{traffic}")))).await;
    let outsider = d["members"][0]["police_no"].as_str().unwrap().to_string();
    let area = |no: &str| json!({"post_id": ours, "kind": "area", "police_no": no, "area": "幸福里小区 1–6 栋"});
    let (s, v) = send(mark(&secretary, branch, area(&outsider))).await;
    assert_eq!((s, fields(&v).0), (StatusCode::UNPROCESSABLE_ENTITY, vec!["负责党员".to_string()]), "{v}");
    let (_, d) = send(committee.get(t.url(&format!("/api/party/orgs/{branch}")))).await;
    let member = d["members"][0].clone();
    let (s, v) = send(mark(&secretary, branch, area(member["police_no"].as_str().unwrap()))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, _) = send(mark(&secretary, branch, json!({"post_id": theirs, "kind": "vanguard"}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a post outside the secretary's scope");

    // The post's duty board shows both; the branch page lists them.
    let (s, board) = send(committee.get(t.url(&format!("/api/duty/posts/{ours}/board")))).await;
    assert_eq!(s, StatusCode::OK, "{board}");
    let tags: Vec<(String, String)> = board["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["label"].as_str().unwrap().to_string(), x["detail"].as_str().unwrap().to_string()))
        .collect();
    let who = member["name"].as_str().unwrap();
    assert_eq!(
        tags,
        vec![
            ("党员先锋岗".to_string(), "城关派出所党支部".to_string()),
            ("党员责任区".to_string(), format!("{who} 负责：幸福里小区 1–6 栋"))
        ],
        "{board}"
    );
    let html = committee.get(t.url(&format!("/duty/posts/{ours}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("data-testid=\"post-tag\"") && html.contains("幸福里小区 1–6 栋"), "the board page");
    let (_, d) = send(secretary.get(t.url(&format!("/api/party/orgs/{branch}")))).await;
    assert_eq!(d["post_marks"].as_array().unwrap().len(), 2, "{d}");

    // Only the branch that set a mark takes it off.
    let unmark = |c: &reqwest::Client, org: i64| {
        c.post(t.url(&format!("/api/party/orgs/{org}/posts/remove")))
            .json(&json!({"post_id": ours, "kind": "vanguard"}))
    };
    let (s, v) = send(unmark(&committee, traffic)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(fields(&v).1.contains("只能由该支部撤销"), "{v}");
    let (s, v) = send(unmark(&secretary, branch)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, board) = send(committee.get(t.url(&format!("/api/duty/posts/{ours}/board")))).await;
    assert_eq!(board["tags"].as_array().unwrap().len(), 1, "{board}");
    let counts =
        (audited(&t, "设立党员先锋岗").await, audited(&t, "划定党员责任区").await, audited(&t, "撤销党员先锋岗").await);
    assert_eq!(counts, (1, 1, 1));
}

both_backends!(branches_members_and_transfers, vanguard_posts_and_areas);
