//! Accounts and administrators over real HTTP: the bootstrap administrator retired once the three
//! administrators exist, passwords reset, expired and not reused, the second factor and its
//! enrolment, the security policy taking effect at once, grants by the system administrator, sessions
//! ended by the security administrator, and the accounts page each of the three roles sees.

use bastion_testkit::{both_backends, spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn bootstrap_admin_is_retired_once_the_three_admins_exist(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let r = t
        .client()
        .post(t.url("/api/login"))
        .json(&json!({"username": "admin", "password": bastion_testkit::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["message"], "用户已停用，请联系管理员");
    let (recs, _) = t.app.store.audit_records(None, Some("system"), 10, 0).await.unwrap();
    assert!(recs.iter().any(|r| r.action == "停用超级管理员" && r.target == "admin"));
}

async fn reset_password_must_be_changed_and_not_reused(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let ctx = bastion_app::Ctx::cli(bastion_store::org::UnitId(1));
    t.app.reset_password(&ctx, "officer", "Reset#2026a").await.unwrap();
    let c = t.client();
    let r = c
        .post(t.url("/api/login"))
        .json(&json!({"username": "officer", "password": "Reset#2026a"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["must_change_password"], true);
    let blocked = c.get(t.url("/api/people")).send().await.unwrap();
    assert_eq!(blocked.status(), StatusCode::FORBIDDEN);
    let blocked: Value = blocked.json().await.unwrap();
    assert_eq!(blocked["code"], "password_change_required");
    // A page sends the officer to the password form.
    let page = c.get(t.url("/org/people")).send().await.unwrap();
    assert_eq!(page.headers()["location"], "/password");
    // The old demo password was used before: refused.
    let r = c
        .post(t.url("/api/password"))
        .json(&json!({"old_password": "Reset#2026a", "new_password": bastion_testkit::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert!(e["message"].as_str().unwrap().contains("最近 5 次"), "{e}");
    let r = c
        .post(t.url("/api/password"))
        .json(&json!({"old_password": "Reset#2026a", "new_password": "officer#2026X"}))
        .send()
        .await
        .unwrap();
    let e: Value = r.json().await.unwrap();
    assert!(e["message"].as_str().unwrap().contains("账号名"), "{e}");
    let r = c
        .post(t.url("/api/password"))
        .json(&json!({"old_password": "Reset#2026a", "new_password": "Fresh#2026b"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(c.get(t.url("/api/people")).send().await.unwrap().status(), StatusCode::OK);
}

async fn expired_password_must_be_changed(backend: Backend) {
    let t = spawn_app(backend, true).await;
    // With a current password the desk officer reads the people list…
    let c = t.login("duty").await;
    assert_eq!(c.get(t.url("/api/people")).send().await.unwrap().status(), StatusCode::OK);
    sqlx::query("UPDATE accounts SET password_changed_at = 0 WHERE username = 'duty'")
        .execute(t.app.store.reader())
        .await
        .unwrap();
    // …and once it has expired, every request but the change itself is turned to the change.
    let c = t.login("duty").await;
    let r = c.get(t.url("/api/people")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "password_change_required", "{body}");
    let page = c.get(t.url("/org/people")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()["location"], "/password");
    let r = c
        .post(t.url("/api/password"))
        .json(&json!({"old_password": bastion_testkit::DEMO_PASSWORD, "new_password": "Fresh#2027pass"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    assert_eq!(c.get(t.url("/api/people")).send().await.unwrap().status(), StatusCode::OK);
}

async fn security_admin_ends_a_session(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let duty = t.login("duty").await;
    assert_eq!(duty.get(t.url("/api/me")).send().await.unwrap().status(), StatusCode::OK);
    let sec = t.login("secadmin").await;
    let online: Value = sec.get(t.url("/api/sessions")).send().await.unwrap().json().await.unwrap();
    let theirs = online.as_array().unwrap().iter().find(|s| s["username"] == "duty").expect("duty is online");
    let id = theirs["id"].as_str().unwrap();
    let r = sec.post(t.url(&format!("/api/sessions/{id}/revoke"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(duty.get(t.url("/api/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let (recs, _) = t.app.store.audit_records(Some("secadmin"), None, 1, 0).await.unwrap();
    assert_eq!((recs[0].action.as_str(), recs[0].target.as_str()), ("强退", "duty"));
    // The audit admin sees that, and the login log, and can export the trail.
    let audit = t.login("auditadmin").await;
    let log: Value = audit.get(t.url("/api/login-log?size=50")).send().await.unwrap().json().await.unwrap();
    assert!(log["items"].as_array().unwrap().iter().any(|e| e["username"] == "duty" && e["success"] == true));
    let csv = audit.get(t.url("/api/audit/export")).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("强退") && csv.contains("secadmin"), "{csv}");
    // Exporting the trail is itself on the trail.
    let (recs, _) = t.app.store.audit_records(Some("auditadmin"), None, 1, 0).await.unwrap();
    assert_eq!(recs[0].action, "导出审计日志");
}

async fn administrators_need_a_second_factor(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.client();
    let login = |totp: Option<String>| {
        let mut body = json!({"username": "sysadmin", "password": bastion_testkit::DEMO_PASSWORD});
        if let Some(code) = totp {
            body["totp"] = json!(code);
        }
        c.post(t.url("/api/login")).json(&body).send()
    };
    let r = login(None).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().get("set-cookie").is_none(), "no session without the second factor");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "totp_required");
    let wrong = if bastion_testkit::demo_totp_code() == "000000" { "111111" } else { "000000" };
    let r = login(Some(wrong.into())).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let code = bastion_testkit::demo_totp_code();
    let r = login(Some(code.clone())).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The same code cannot sign in twice.
    let r = login(Some(code)).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // In the browser: password, then the code page; nothing else opens in between.
    let b = t.client();
    let r = b
        .post(t.url("/login"))
        .form(&[("username", "secadmin"), ("password", bastion_testkit::DEMO_PASSWORD), ("next", "/system/online")])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login/totp"));
    let r = b.get(t.url("/system/online")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/login/totp");
    assert_eq!(b.get(t.url("/api/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let r = b
        .post(t.url("/login/totp"))
        .form(&[("code", bastion_testkit::demo_totp_code().as_str()), ("next", "/system/online")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/system/online");
    let page = b.get(t.url("/system/online")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("在线用户") && page.contains("sysadmin"));
}

async fn new_administrator_enrolls_before_anything_else(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let ctx = bastion_app::Ctx::cli(bastion_store::org::UnitId(1));
    let unit = bastion_store::org::UnitId(1);
    t.app
        .create_account(&ctx, "sec2", "新安全员", unit, None, vec!["secadmin".into()], "Start#2026x", false)
        .await
        .unwrap();
    let b = t.client();
    let r = b
        .post(t.url("/login"))
        .form(&[("username", "sec2"), ("password", "Start#2026x"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/account/totp");
    let page = b.get(t.url("/account/totp")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("data:image/svg+xml;base64,"), "a QR code is shown");
    let secret = page.split("data-testid=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    let bytes = bastion_core::totp::base32_decode(&secret).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let r = b.post(t.url("/account/totp")).form(&[("code", "000000")]).send().await.unwrap();
    if bastion_core::totp::code_at(&bytes, now) != "000000" {
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = b
        .post(t.url("/account/totp"))
        .form(&[("code", bastion_core::totp::code_at(&bytes, now).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.get(t.url("/api/me")).send().await.unwrap().status(), StatusCode::OK);
    let a = t.app.store.account_by_username("sec2").await.unwrap().unwrap();
    assert!(a.totp_enabled);
}

async fn security_policy_applies_at_once(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let sec = t.login("secadmin").await;
    let mut p: Value = sec.get(t.url("/api/policy")).send().await.unwrap().json().await.unwrap();
    // Numbers and switches as the API document describes them.
    assert_eq!(p["password_history"], 5);
    assert_eq!(p["totp_required_for_admins"], true);
    // Out-of-bounds values are named and nothing changes (text, as a form sends it, or numbers).
    p["idle_timeout_minutes"] = json!("120");
    p["audit_retention_days"] = json!(30);
    let r = sec.put(t.url("/api/policy")).json(&p).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"会话空闲超时（分钟）") && fields.contains(&"审计日志保存期（天）"), "{fields:?}");
    // A list that shuts out the security admin's own address is refused.
    p["idle_timeout_minutes"] = json!("30");
    p["audit_retention_days"] = json!("365");
    p["ip_allow"] = json!("10.0.0.0/8");
    let r = sec.put(t.url("/api/policy")).json(&p).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Lock after 3 failures instead of 5.
    p["ip_allow"] = json!("");
    p["max_failed_logins"] = json!(3);
    let r = sec.put(t.url("/api/policy")).json(&p).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let back: Value = r.json().await.unwrap();
    assert_eq!((back["max_failed_logins"].clone(), back["totp_required_for_admins"].clone()), (json!(3), json!(true)));
    let c = t.client();
    for _ in 0..3 {
        c.post(t.url("/api/login")).json(&json!({"username": "duty", "password": "Wrong#123x"})).send().await.unwrap();
    }
    let r = c
        .post(t.url("/api/login"))
        .json(&json!({"username": "duty", "password": bastion_testkit::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::LOCKED);
    // Deny 127.0.0.1: every request from it is refused (health checks excepted).
    p["ip_deny"] = json!("127.0.0.*");
    let r = sec.put(t.url("/api/policy")).json(&p).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "that would lock the caller out too");
    let (recs, _) = t.app.store.audit_records(Some("secadmin"), None, 1, 0).await.unwrap();
    assert_eq!(recs[0].action, "修改安全策略");
    // Had it been saved (say, from another address), the deny list refuses every page and call.
    t.app.policy.write().unwrap().ip_deny = vec![bastion_app::auth::policy::IpRule::parse("127.0.0.1").unwrap()];
    let r = c.get(t.url("/login")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("黑名单"));
    assert_eq!(c.get(t.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
}

async fn system_admin_creates_security_admin_grants(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let sys = t.login("sysadmin").await;
    let r = sys
        .post(t.url("/api/accounts"))
        .json(&json!({"username": "zhaoliu", "display_name": "赵六", "unit_id": 3, "password": "First#2026x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // The system admin cannot grant a role, not even to the new account.
    let r = sys.put(t.url("/api/accounts/zhaoliu/roles")).json(&json!({"roles": ["duty"]})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let sec = t.login("secadmin").await;
    // 三员分立 holds for grants too.
    let r = sec
        .put(t.url("/api/accounts/zhaoliu/roles"))
        .json(&json!({"roles": ["sysadmin", "auditadmin"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = sec.put(t.url("/api/accounts/secadmin/roles")).json(&json!({"roles": ["commander"]})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no one changes their own roles");
    let r = sec.put(t.url("/api/accounts/zhaoliu/roles")).json(&json!({"roles": ["duty"]})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let list: Value = sec.get(t.url("/api/accounts")).send().await.unwrap().json().await.unwrap();
    let z = list.as_array().unwrap().iter().find(|a| a["username"] == "zhaoliu").unwrap();
    assert_eq!(z["roles"], json!(["duty"]));
    assert_eq!(z["must_change_password"], true);
    assert!(z.get("password_hash").is_none());
    // Unlock: the security admin lifts a lock-out.
    let c = t.client();
    for _ in 0..5 {
        c.post(t.url("/api/login")).json(&json!({"username": "duty", "password": "Wrong#123x"})).send().await.unwrap();
    }
    assert_eq!(sec.post(t.url("/api/accounts/duty/unlock")).send().await.unwrap().status(), StatusCode::OK);
    let r = c
        .post(t.url("/api/login"))
        .json(&json!({"username": "duty", "password": bastion_testkit::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (recs, _) = t.app.store.audit_records(Some("secadmin"), None, 5, 0).await.unwrap();
    let actions: Vec<&str> = recs.iter().map(|r| r.action.as_str()).collect();
    assert!(actions.contains(&"分配角色") && actions.contains(&"解锁账号"), "{actions:?}");
}

async fn accounts_page_follows_the_three_roles(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let sys = t.login("sysadmin").await;
    let page = sys.get(t.url("/system/accounts")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("新建账号") && !page.contains("保存角色"), "the system admin creates but does not grant");
    let html = sys
        .post(t.url("/system/accounts"))
        .form(&[("username", "sunqi"), ("display_name", "孙七"), ("unit_id", "3"), ("password", "First#2026x")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("已创建账号 sunqi"), "{html}");
    let r = sys
        .post(t.url("/system/accounts"))
        .form(&[("username", "x y"), ("display_name", "坏"), ("unit_id", "3"), ("password", "weak")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let sec = t.login("secadmin").await;
    let page = sec.get(t.url("/system/accounts")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("保存角色") && !page.contains("新建账号"), "the security admin grants but does not create");
    let html = sec
        .post(t.url("/system/accounts/sunqi/roles"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("role=duty&role=editor")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("已更新 sunqi 的角色"), "{html}");
    let a = t.app.store.account_by_username("sunqi").await.unwrap().unwrap();
    assert_eq!(a.roles, vec!["duty".to_string(), "editor".to_string()]);
}

both_backends!(
    bootstrap_admin_is_retired_once_the_three_admins_exist,
    reset_password_must_be_changed_and_not_reused,
    expired_password_must_be_changed,
    security_admin_ends_a_session,
    administrators_need_a_second_factor,
    new_administrator_enrolls_before_anything_else,
    security_policy_applies_at_once,
    system_admin_creates_security_admin_grants,
    accounts_page_follows_the_three_roles,
);
