//! The JSON API and pages over real HTTP: sign-in, people, scopes, errors, headers.

use bastion_testkit::{both_backends, spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn login_does_not_reveal_accounts(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.client();
    let unknown = c
        .post(t.url("/api/login"))
        .json(&json!({"username": "nobody", "password": "Wrong#123x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let unknown: Value = unknown.json().await.unwrap();
    let wrong = c
        .post(t.url("/api/login"))
        .json(&json!({"username": "commander", "password": "Wrong#123x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wrong: Value = wrong.json().await.unwrap();
    assert_eq!(unknown["message"], wrong["message"]);
    assert_eq!(wrong["message"], "用户不存在或密码错误");
    // Not signed in: the API says 401, a page sends you to the login page.
    assert_eq!(c.get(t.url("/api/people")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let page = c.get(t.url("/org/people")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert!(page.headers()["location"].to_str().unwrap().starts_with("/login?next="));
}

async fn five_failures_lock_the_account(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.client();
    for _ in 0..5 {
        c.post(t.url("/api/login")).json(&json!({"username": "duty", "password": "Wrong#123x"})).send().await.unwrap();
    }
    let r = c
        .post(t.url("/api/login"))
        .json(&json!({"username": "duty", "password": bastion_testkit::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::LOCKED);
    let body: Value = r.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("锁定"), "{body}");
}

async fn people_list_counts_and_filters(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let all: Value = c.get(t.url("/api/people?size=5")).send().await.unwrap().json().await.unwrap();
    assert_eq!(all["total"], 956);
    assert_eq!(all["items"].as_array().unwrap().len(), 5);
    let party: Value = c.get(t.url("/api/people?party=true&size=1")).send().await.unwrap().json().await.unwrap();
    assert_eq!(party["total"], 457);
    let first_name = all["items"][0]["name"].as_str().unwrap().to_string();
    let found: Value =
        c.get(t.url(&format!("/api/people?name={first_name}&size=100"))).send().await.unwrap().json().await.unwrap();
    assert!(found["total"].as_i64().unwrap() >= 1);
    for p in found["items"].as_array().unwrap() {
        assert!(p["name"].as_str().unwrap().contains(&first_name));
    }
    // Identity and phone numbers never leave the server in clear in a list.
    let masked = all["items"][0]["id_number_masked"].as_str().unwrap();
    assert!(masked.contains("***********"), "{masked}");
    assert!(all["items"][0].get("id_number").is_none());
    // A bad filter value is named, not ignored.
    let bad = c.get(t.url("/api/people?category=保安")).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad: Value = bad.json().await.unwrap();
    assert_eq!(bad["errors"][0]["field"], "人员类别");
    // Injection strings are just text.
    let inj: Value = c.get(t.url("/api/people?name=%27%20OR%201%3D1%20--")).send().await.unwrap().json().await.unwrap();
    assert_eq!(inj["total"], 0);
    let pct: Value = c.get(t.url("/api/people?name=%25")).send().await.unwrap().json().await.unwrap();
    assert_eq!(pct["total"], 0);
}

async fn data_scope_is_enforced(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let commander = t.login("commander").await;
    let all: Value = commander.get(t.url("/api/people?size=500&unit_id=2")).send().await.unwrap().json().await.unwrap();
    let hq_person = all["items"][0]["id"].as_i64().unwrap();
    // The officer sees only themself, by list and by id.
    let officer = t.login("officer").await;
    let own: Value = officer.get(t.url("/api/people")).send().await.unwrap().json().await.unwrap();
    assert_eq!(own["total"], 1);
    let other = officer.get(t.url(&format!("/api/people/{hq_person}"))).send().await.unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    // …and cannot export at all.
    assert_eq!(
        officer.get(t.url("/api/people/export?format=csv")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // The branch secretary of 城关派出所 sees that station and its squad (40 + 38), nothing else.
    let sec = t.login("secretary").await;
    let mine: Value = sec.get(t.url("/api/people?size=500")).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine["total"], 78);
    for p in mine["items"].as_array().unwrap() {
        assert!(["城关派出所", "城关社区警务中队"].contains(&p["unit_name"].as_str().unwrap()), "{p}");
    }
    assert_eq!(
        sec.get(t.url(&format!("/api/people/{hq_person}"))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // Writes need the write permission: the commander may read but not edit people.
    let cmd = t.login("commander").await;
    let r = cmd.post(t.url(&format!("/api/people/{hq_person}/disable"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The audit admin reads logs but no people.
    let audit = t.login("auditadmin").await;
    assert_eq!(audit.get(t.url("/api/people")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(audit.get(t.url("/api/audit")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(cmd.get(t.url("/api/audit")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
}

async fn create_edit_disable_person(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("sysadmin").await;
    let body = json!({
        "police_no": "990001", "name": "测试新人", "category": "民警", "id_number": "11010519491231002X",
        "mobile": "13900001111", "unit_id": "3", "political_status": "入党积极分子", "police_types": "交警、巡特警"
    });
    let r = c.post(t.url("/api/people")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["sex"], "female", "sex derived from the ID number");
    assert_eq!(p["birth_date"], "1949-12-31");
    assert_eq!(p["mobile_masked"], "139****1111");
    let id = p["id"].as_i64().unwrap();
    // Same police number again (with another identity number): 422 naming the field.
    let mut again = body.clone();
    again["id_number"] = json!(bastion_testkit::test_id_number(1));
    let dup = c.post(t.url("/api/people")).json(&again).send().await.unwrap();
    assert_eq!(dup.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let dup: Value = dup.json().await.unwrap();
    assert_eq!(dup["errors"][0]["field"], "警号");
    // Edit keeps the ID number when it is left empty.
    let mut edit = body.clone();
    edit["id_number"] = json!("");
    edit["name"] = json!("测试改名");
    edit["sex"] = json!("女");
    let r = c.put(t.url(&format!("/api/people/{id}"))).json(&edit).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["name"], "测试改名");
    assert_eq!(p["id_number_masked"], "110***********002X");
    assert_eq!(c.post(t.url(&format!("/api/people/{id}/disable"))).send().await.unwrap().status(), StatusCode::OK);
    let p: Value = c.get(t.url(&format!("/api/people/{id}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(p["enabled"], false);
    // Every write left an audit record.
    let (recs, _) = t.app.store.audit_records(Some("sysadmin"), None, 10, 0).await.unwrap();
    let actions: Vec<&str> = recs.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, vec!["停用人员", "修改人员", "新增人员"]);
    assert!(recs.iter().all(|r| !r.target.contains("110105") && !r.detail.contains("110105")));
}

async fn bad_input_names_every_field(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("sysadmin").await;
    let before: Value = c.get(t.url("/api/people?size=1")).send().await.unwrap().json().await.unwrap();
    let body = json!({"police_no": "1", "name": "", "category": "保安", "id_number": "110105194912310021",
        "mobile": "12345", "unit_id": "99999", "hire_date": "2020-02-30"});
    let r = c.post(t.url("/api/people")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    for f in ["警号", "姓名", "人员类别", "身份证号", "手机号", "所属单位", "入职日期"] {
        assert!(fields.contains(&f), "{f} missing in {fields:?}");
    }
    assert!(e["message"].as_str().unwrap().contains("校验位"));
    let after: Value = c.get(t.url("/api/people?size=1")).send().await.unwrap().json().await.unwrap();
    assert_eq!(before["total"], after["total"]);
    // Malformed JSON: 400 in Chinese.
    let r = c
        .post(t.url("/api/people"))
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: Value = r.json().await.unwrap();
    assert!(e["message"].as_str().unwrap().starts_with("JSON 格式错误"), "{e}");
    // The framework's own rejections answer in our JSON format too.
    let r = c.get(t.url("/api/people/abc")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["code"], "bad_path");
    assert!(e["message"].as_str().unwrap().starts_with("路径参数无效"));
    let r = c.post(t.url("/api/people/import")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: Value = r.json().await.unwrap();
    assert!(e["message"].as_str().unwrap().contains("multipart"), "{e}");
    // A NUL byte in a search field (PostgreSQL refuses it in text) is a 422, never a 500.
    let r = c.get(t.url("/api/people?police_no=%00x")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = c.post(t.url("/api/login")).json(&json!({"username": "a\u{0}b", "password": "x"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // A huge page number is named, not overflowed.
    let r = c.get(t.url("/api/people?page=9223372036854775807&size=500")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["errors"][0]["field"], "页码");
    // Unknown API route: JSON 404; unknown page: Chinese 404 page.
    let r = c.get(t.url("/api/nothing")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c.get(t.url("/no/such/page")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("页面不存在"));
    // Asset paths cannot climb out.
    assert_eq!(c.get(t.url("/assets/..%2f..%2fCargo.toml")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    // Oversized body: 413 as soon as the declared length is over the limit.
    let host = t.base.trim_start_matches("http://").to_string();
    let mut sock = tokio::net::TcpStream::connect(&host).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let head = format!("POST /api/people HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 22000000\r\n\r\n");
    sock.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 64];
    let n = sock.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 413"), "{}", String::from_utf8_lossy(&buf[..n]));
}

async fn hostile_text_is_stored_as_text_and_shown_escaped(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("sysadmin").await;
    let xss = "<img src=x onerror=alert(1)>";
    let body = json!({"police_no": "990002", "name": xss, "category": "民警", "sex": "男", "unit_id": "3",
        "id_number": bastion_testkit::test_id_number(2), "position": "<script>alert(2)</script>", "skills": "\"><svg onload=x>"});
    let r = c.post(t.url("/api/people")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["name"], xss, "stored as typed");
    let id = p["id"].as_i64().unwrap();
    for path in
        [format!("/org/people/{id}"), "/org/people?police_no=990002".to_string(), format!("/org/people/{id}/edit")]
    {
        let html = c.get(t.url(&path)).send().await.unwrap().text().await.unwrap();
        assert!(
            !html.contains("<img src=x") && !html.contains("<script>alert(2)") && !html.contains("<svg onload"),
            "{path}"
        );
        assert!(html.contains("&lt;img src=x") || html.contains("&#60;img src=x"), "{path} shows the text escaped");
    }
    // SQL-looking text in every search field is only text.
    for field in ["name", "police_no"] {
        for probe in ["' OR '1'='1", "1; DROP TABLE people; --", "\\' UNION SELECT * FROM accounts --"] {
            let r = c.get(t.url("/api/people")).query(&[(field, probe)]).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{field}={probe}");
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["total"], 0, "{field}={probe}");
        }
    }
    let all: Value = c.get(t.url("/api/people?size=1")).send().await.unwrap().json().await.unwrap();
    assert_eq!(all["total"], 957);
}

async fn cross_site_writes_are_refused(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("sysadmin").await;
    let r = c.post(t.url("/api/people/1/disable")).header("origin", "http://evil.example").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c.post(t.url("/api/people/1/disable")).header("sec-fetch-site", "cross-site").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let p: Value = c.get(t.url("/api/people/1")).send().await.unwrap().json().await.unwrap();
    assert_eq!(p["enabled"], true, "nothing changed");
    let host = t.base.trim_start_matches("http://").to_string();
    let r = c.post(t.url("/api/people/1/disable")).header("origin", format!("http://{host}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

async fn reveal_needs_permission_and_reason(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let duty = t.login("duty").await;
    let r = duty.post(t.url("/api/people/1/reveal")).json(&json!({"reason": "核实身份"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let cmd = t.login("commander").await;
    let r = cmd.post(t.url("/api/people/1/reveal")).json(&json!({"reason": ""})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r: Value = cmd
        .post(t.url("/api/people/1/reveal"))
        .json(&json!({"reason": "核实返岗人员身份"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = r["id_number"].as_str().unwrap();
    assert_eq!(id.len(), 18);
    assert!(bastion_core::IdNumber::parse(id, jiff::civil::date(2026, 1, 1)).is_ok());
    let (recs, _) = t.app.store.audit_records(Some("commander"), None, 1, 0).await.unwrap();
    assert_eq!(recs[0].action, "查看明文");
    assert!(recs[0].detail.contains("核实返岗人员身份"));
    assert!(!recs[0].detail.contains(id) && !recs[0].target.contains(id));
}

async fn service_endpoints_and_headers(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.client();
    let r = c.get(t.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(c.get(t.url("/readyz")).send().await.unwrap().status(), StatusCode::OK);
    let m = c.get(t.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(m.contains("http_requests_total"), "{m}");
    let doc: Value = c.get(t.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/people"]["get"].is_object());
    assert!(c.get(t.url("/assets/vendor/htmx.min.js")).send().await.unwrap().status().is_success());
    // The session cookie is HttpOnly and SameSite.
    let r = c
        .post(t.url("/api/login"))
        .json(&json!({"username": "commander", "password": bastion_testkit::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
}

async fn pages_render_in_chinese_and_english(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.client();
    let login = c.get(t.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(login.contains("账号") && login.contains("登录"));
    let r = c
        .post(t.url("/login"))
        .form(&[("username", "commander"), ("password", bastion_testkit::DEMO_PASSWORD), ("next", "/org/people")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/org/people");
    let home = c.get(t.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains(">956<"), "home shows the staff total");
    assert!(home.contains("新冠肺炎疫情防控阻击战"), "header shows the active operation");
    // The unit tree counts each unit with everything below it (城关派出所 40 + its squad 38).
    let list = c.get(t.url("/org/people")).send().await.unwrap().text().await.unwrap();
    assert!(
        list.contains("城关派出所 <small>78</small>") && list.contains("青岚县公安局 <small>956</small>"),
        "subtree counts"
    );
    let station = list.find("城关派出所 <small>").unwrap();
    let squad = list.find("城关社区警务中队 <small>38</small>").unwrap();
    let next_station = list.find("东关派出所 <small>").unwrap();
    assert!(station < squad && squad < next_station, "a squad is listed under its station");
    let people = c
        .get(t.url("/org/people?name=%3Cscript%3Ealert(1)%3C%2Fscript%3E"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!people.contains("<script>alert(1)"), "search text is escaped");
    assert!(people.contains("&lt;script&gt;") || people.contains("&#60;script"), "the typed text is shown escaped");
    // Switch to English.
    let r = c.get(t.url("/lang/en")).send().await.unwrap();
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("bastion_lang=en"));
    let en = c.get(t.url("/org/people")).send().await.unwrap().text().await.unwrap();
    assert!(en.contains("Police no."), "English labels");
    // Open redirect is refused.
    let r = c.get(t.url("/login?next=//evil.example")).send().await.unwrap();
    assert!(r.headers().get("location").map(|l| l.to_str().unwrap() == "/").unwrap_or(true));
}

both_backends!(
    login_does_not_reveal_accounts,
    five_failures_lock_the_account,
    people_list_counts_and_filters,
    data_scope_is_enforced,
    create_edit_disable_person,
    bad_input_names_every_field,
    cross_site_writes_are_refused,
    hostile_text_is_stored_as_text_and_shown_escaped,
    reveal_needs_permission_and_reason,
    service_endpoints_and_headers,
    pages_render_in_chinese_and_english,
    a_failed_read_is_an_error_not_an_empty_list,
    home_page_shows_only_the_viewers_scope,
    pages_and_assets_travel_compressed_and_versioned,
    the_people_list_pages_by_chosen_size,
    the_people_tree_is_the_viewers_scope,
    the_home_page_lists_what_waits_for_the_viewer
);

/// The home page's to-do list asks each viewer for what is theirs to do now, from every feature:
/// the officer's recall to answer, then to report on post; the desk's fever case to hand over;
/// nothing for the security administrator.
async fn the_home_page_lists_what_waits_for_the_viewer(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let home = |c: reqwest::Client| {
        let url = t.url("/");
        async move {
            let html = c.get(url).send().await.unwrap().text().await.unwrap();
            html.split("data-testid=\"todo\"")
                .nth(1)
                .unwrap_or_default()
                .split("</section>")
                .next()
                .unwrap_or_default()
                .to_string()
        }
    };
    let duty = home(t.login("duty").await).await;
    assert!(duty.contains("发热病例 #") && duty.contains("待交接发热门诊"), "{duty}");
    let sec = home(t.login("secadmin").await).await;
    assert!(sec.contains("目前没有等您处理的事项"), "{sec}");
    let officer = t.login("officer").await;
    assert!(!home(officer.clone()).await.contains("召集令"), "no recall asks anything of the officer yet");
    let unit = t.app.store.account_by_username("officer").await.unwrap().unwrap().unit_id.0;
    let boss = t.login("commander").await;
    let (s, created) = crate::recall::issue(&boss, &t, unit, serde_json::json!({"title": "城关所集结"})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let todo = home(officer.clone()).await;
    assert!(todo.contains("《城关所集结》请确认收到") && todo.contains("href=\"/recall\""), "{todo}");
    let id = created["id"].as_i64().unwrap();
    let r =
        officer.post(t.url(&format!("/api/recall/{id}/answer"))).json(&json!({"action": "ack"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let todo = home(officer).await;
    assert!(todo.contains("《城关所集结》请到岗后报到"), "{todo}");
}

/// The people page's unit tree shows the units the viewer may see, with their counts: the whole
/// bureau for the commander, the station's subtree for its secretary, none for an officer who sees
/// only their own record.
async fn the_people_tree_is_the_viewers_scope(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let nodes = |html: &str| -> Vec<String> {
        html.split("href=\"/org/people?unit_id=")
            .skip(1)
            .filter_map(|s| s.split('<').next().map(|x| x.to_string()))
            .collect()
    };
    let boss = t.login("commander").await.get(t.url("/org/people")).send().await.unwrap().text().await.unwrap();
    let all = nodes(&boss);
    assert!(all.len() >= 29, "every unit for the commander: {all:?}");
    let sec = t.login("secretary").await.get(t.url("/org/people")).send().await.unwrap().text().await.unwrap();
    let mine = nodes(&sec);
    assert!(!mine.is_empty() && mine.len() < all.len(), "the station's subtree only: {mine:?}");
    assert!(mine.iter().all(|n| all.contains(n)), "the same units and counts as the commander sees them: {mine:?}");
    assert!(mine[0].contains("城关"), "the secretary's station heads the tree: {mine:?}");
    assert!(!sec.contains("督察大队"), "no unit outside the scope is named");
    let officer = t.login("officer").await.get(t.url("/org/people")).send().await.unwrap().text().await.unwrap();
    assert!(nodes(&officer).is_empty(), "no tree for an account that sees only itself");
}

/// The people list offers a page size and a page to jump to, and its links carry no empty query.
async fn the_people_list_pages_by_chosen_size(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let html = c.get(t.url("/org/people")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("href=\"/org/people?page=2\""), "the next page without an empty query");
    assert!(!html.contains("?&amp;page") && !html.contains("?&page"), "no `?&page=`");
    assert!(
        html.contains("<span>1 / 96</span>") && html.contains("name=\"size\""),
        "956 people, 10 a page, a size choice"
    );
    let html = c.get(t.url("/org/people?size=50&page=3&category=police")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<option value=\"50\" selected>"), "the chosen size stays chosen");
    assert!(html.contains("<input type=\"hidden\" name=\"category\" value=\"police\">"), "jumping keeps the filter");
    let links: Vec<&str> =
        html.split("href=\"").skip(1).filter_map(|s| s.split('"').next()).filter(|l| l.contains("page=2")).collect();
    assert_eq!(
        links,
        ["/org/people?category=police&#38;size=50&#38;page=2"],
        "the previous page keeps filter and size"
    );
    assert!(html.contains("value=\"3\" inputmode=\"numeric\""), "the page box shows where we are");
}

/// A phone downloads pages and scripts compressed, and each version of an asset once: pages link
/// assets by content-hashed names that may be cached for a year; the plain name still answers.
async fn pages_and_assets_travel_compressed_and_versioned(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("checkpoint").await;
    let r = c.get(t.url("/checkpoints/entry")).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-encoding"], "br", "the page travels compressed");
    let html = c.get(t.url("/checkpoints/entry")).send().await.unwrap().text().await.unwrap();
    let htmx = html
        .split('"')
        .find(|s| s.starts_with("/assets/vendor/htmx.min.") && s.ends_with(".js") && *s != "/assets/vendor/htmx.min.js")
        .unwrap_or_else(|| panic!("htmx is linked by its hashed name: {html}"))
        .to_string();
    let plain = c.get(t.url("/assets/vendor/htmx.min.js")).send().await.unwrap();
    assert_eq!(plain.headers()["cache-control"], "public, max-age=3600");
    let plain_len = plain.bytes().await.unwrap().len();
    let r = c.get(t.url(&htmx)).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let zipped = r.bytes().await.unwrap().len();
    assert!(zipped * 2 < plain_len, "gzip {zipped} of {plain_len} bytes");
    // A name with another version's hash is not served as this one.
    let stale = htmx.replace(htmx.rsplit('.').nth(1).unwrap(), "000000000000");
    assert_eq!(c.get(t.url(&stale)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    // A streamed export arrives whole when compressed (the stream ends once).
    let boss = t.login("commander").await;
    let plain = boss.get(t.url("/api/people/export?format=csv")).send().await.unwrap().bytes().await.unwrap();
    let r = boss.get(t.url("/api/people/export?format=csv")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let zipped = r.bytes().await.unwrap();
    assert!(plain.len() > 50_000 && zipped.len() * 3 < plain.len(), "{} of {} bytes", zipped.len(), plain.len());
    // The offline worker keeps the hashed names the page links.
    let sw = c.get(t.url("/checkpoints/sw.js")).send().await.unwrap().text().await.unwrap();
    assert!(sw.contains(&htmx) && !sw.contains("\"/assets/vendor/htmx.min.js\""), "{sw}");
}

/// When the database cannot answer, the people page and the home page say so (with the request
/// id to quote) instead of an empty list or zeros that read as "nobody".
async fn a_failed_read_is_an_error_not_an_empty_list(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    // The same pages answer normally first.
    let page = c.get(t.url("/org/people")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("data-testid=\"total\">共 956"), "the list answers before the failure");
    sqlx::query("ALTER TABLE people RENAME TO people_unreadable").execute(t.app.store.reader()).await.unwrap();
    for path in ["/org/people?name=%E6%9D%8E", "/"] {
        let r = c.get(t.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        let body = r.text().await.unwrap();
        assert!(body.contains("服务器内部错误") && body.contains("请求号"), "{path}: {body}");
        let id = body.split("请求号 ").nth(1).unwrap().split_whitespace().next().unwrap();
        assert_eq!(id.len(), 36, "{path}: a request id to quote: {id}");
        assert!(!body.contains("people_unreadable"), "no internals in the page");
    }
    let r = c.get(t.url("/api/people")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "internal");
    assert!(body["message"].as_str().unwrap().contains("请求号"), "{body}");
}

/// The home page shows each account the figures its scope covers: the commander the bureau,
/// a branch secretary their unit, an officer (scope: self) no headcounts at all.
async fn home_page_shows_only_the_viewers_scope(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let figure = |page: &str| -> Option<i64> {
        let at = page.find("data-testid=\"stat-total\"")?;
        let rest = &page[at..];
        let num = rest.split("<span class=\"num\">").nth(1)?.split('<').next()?;
        num.trim().parse().ok()
    };
    let home = |who: &'static str| {
        let t = &t;
        async move { t.login(who).await.get(t.url("/")).send().await.unwrap().text().await.unwrap() }
    };
    let commander = home("commander").await;
    assert_eq!(figure(&commander), Some(956), "the commander sees the bureau");
    assert!(commander.contains("全局人数"));
    let secretary = home("secretary").await;
    let seen = figure(&secretary).expect("the secretary sees their unit's headcount");
    let c = t.login("secretary").await;
    let listed: Value = c.get(t.url("/api/people?size=1")).send().await.unwrap().json().await.unwrap();
    assert_eq!(seen, listed["total"].as_i64().unwrap(), "the tile counts the people the secretary may list");
    assert!(seen > 0 && seen < 956, "{seen}");
    assert!(secretary.contains("管辖范围内人数") && !secretary.contains("全局人数"));
    let officer = home("officer").await;
    assert_eq!(figure(&officer), None, "an officer sees no headcount: {officer}");
    assert!(!officer.contains("956"), "no bureau-wide figure for scope self");
}
