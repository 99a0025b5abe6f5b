//! What the server gives away without meaning to: which accounts exist (lockout), cached copies of
//! a person's data, a cross-site check that ignored the scheme, world-readable data files; and
//! whose address the logs record behind a load balancer.

use bastion_app::auth::policy::IpRule;
use bastion_testkit::{both_backends, spawn_app, spawn_app_with, Backend, TestApp, TestDb, DEMO_PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn lockout_answers_the_same_for_unknown_accounts(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let mut answers = Vec::new();
    for user in ["duty", "no_such_officer"] {
        let c = t.client();
        let mut seen = Vec::new();
        for _ in 0..6 {
            let r = c
                .post(t.url("/api/login"))
                .json(&json!({"username": user, "password": "Wrong#123x"}))
                .send()
                .await
                .unwrap();
            let status = r.status();
            let body: Value = r.json().await.unwrap();
            seen.push((status, body["message"].as_str().unwrap_or("").to_string()));
        }
        // The right password for the real account is refused while locked, like any other.
        let r = c
            .post(t.url("/api/login"))
            .json(&json!({"username": user, "password": DEMO_PASSWORD}))
            .send()
            .await
            .unwrap();
        seen.push((r.status(), r.json::<Value>().await.unwrap()["message"].as_str().unwrap_or("").to_string()));
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1], "an unknown account answers exactly like an existing one");
    assert_eq!(answers[0][4].0, StatusCode::LOCKED);
    assert!(answers[0][6].1.contains("锁定"), "{:?}", answers[0]);
}

async fn personal_pages_are_not_cached(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let r = c.get(t.url("/api/people/1")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let r = c.post(t.url("/api/people/1/reveal")).json(&json!({"reason": "核实身份"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let r = c.get(t.url("/org/people/1")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let r = c.post(t.url("/org/people/1/reveal")).form(&[("reason", "核实身份")]).send().await.unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
}

async fn cross_site_check_compares_the_scheme(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("sysadmin").await;
    let host = t.base.trim_start_matches("http://").to_string();
    let r = c.post(t.url("/api/people/1/disable")).header("origin", format!("https://{host}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "another scheme is another origin");
    let r =
        c.post(t.url("/api/people/1/disable")).header("origin", format!("http://{host}.evil")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c.post(t.url("/api/people/1/disable")).header("origin", format!("http://{host}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Behind a TLS proxy that says so, the https origin is the site's own.
    let r = c
        .post(t.url("/api/people/1/enable"))
        .header("origin", format!("https://{host}"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[cfg(unix)]
async fn data_directory_and_files_are_private(backend: Backend) {
    use std::os::unix::fs::PermissionsExt;
    let db = TestDb::new(backend).await;
    let s = db.store_with_key_file().await;
    let mut tx = s.begin().await.unwrap();
    s.append_audit(&mut tx, &bastion_store::audit::AuditEntry::default()).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    let mode = |p: std::path::PathBuf| std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    let data = db.data_dir();
    assert_eq!(mode(data.clone()), 0o700);
    assert_eq!(mode(data.join("keys")), 0o700);
    assert_eq!(mode(data.join("keys").join("bastion.keys")), 0o600);
    if backend == Backend::Sqlite {
        assert_eq!(mode(data.join("bastion.db")), 0o600);
        assert_eq!(mode(data.join("bastion.db-wal")), 0o600);
    }
}

#[cfg(unix)]
both_backends!(data_directory_and_files_are_private);

both_backends!(
    client_address_behind_a_trusted_proxy,
    delivery_log_is_scoped_like_the_board,
    lockout_answers_the_same_for_unknown_accounts,
    personal_pages_are_not_cached,
    cross_site_check_compares_the_scheme
);

/// The delivery log is scoped like the board: a viewer whose scope covers none of a message's
/// person does not see that entry (its detail may name the person); group messages stay.
async fn delivery_log_is_scoped_like_the_board(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let r = c
        .post(t.url("/api/notify/channels"))
        .json(&json!({"kind": "wecom", "name": "测试群", "url": "http://127.0.0.1:9/x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let channel = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // An order over 督察大队 and 城关派出所: the secretary's scope covers the second only.
    let d13 = crate::recall::unit_id(&t, "D13").await;
    let s01 = crate::recall::unit_id(&t, "S01").await;
    let (s, created) = crate::recall::issue(&c, &t, d13, json!({"unit_ids": format!("{d13},{s01}")})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    // A person of 督察大队 (outside the secretary's scope).
    let person =
        t.app.store.recall_missing(bastion_store::recall::OrderId(id), Some(&[d13]), 1, 0).await.unwrap()[0].clone();
    // A failed message to that person and one to the group, each with its delivery line. The ids
    // come from the database: the order's own messages are being queued meanwhile.
    let pool = t.app.store.reader();
    let failed = |person: Option<i64>, detail: String| async move {
        let now = bastion_core::time::now_ms();
        let (outbox,): (i64,) = sqlx::query_as(
            "INSERT INTO notify_outbox (source, source_id, channel_id, person_id, body, status, attempts, next_at, created_at) \
             VALUES ('recall', $1, $2, $3, 'x', 'failed', 1, $4, $4) RETURNING id",
        )
        .bind(id)
        .bind(channel)
        .bind(person)
        .bind(now)
        .fetch_one(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO notify_deliveries (outbox_id, source, source_id, channel_id, attempt, ok, http_status, detail, at) \
             VALUES ($1, 'recall', $2, $3, 1, 0, 0, $4, $5)",
        )
        .bind(outbox)
        .bind(id)
        .bind(channel)
        .bind(detail)
        .bind(now)
        .execute(pool)
        .await
        .unwrap();
    };
    let detail = format!("人员 {} 无手机号", person.police_no);
    failed(Some(person.person_id.0), detail.clone()).await;
    failed(None, "群消息测试".to_string()).await;
    let log = |b: Value| b["deliveries"].to_string();
    let all = log(crate::recall::board(&c, &t.base, id).await);
    assert!(all.contains(&detail), "the commander sees it: {all}");
    let secretary = t.login("secretary").await;
    let r = secretary.get(t.url(&format!("/api/recall/{id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the board itself is open to the secretary, scoped");
    let b: Value = r.json().await.unwrap();
    let scoped = log(b);
    assert!(scoped.contains("群消息测试"), "group messages stay visible: {scoped}");
    assert!(!scoped.contains(&person.police_no), "out of scope: {scoped}");
}

/// A browser whose every request says it was forwarded for `xff`.
fn forwarded_for(xff: &str) -> reqwest::Client {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("x-forwarded-for", xff.parse().unwrap());
    let b = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none());
    b.default_headers(h).build().unwrap()
}

/// The address the login log records for `user` signing in through `c` on `t`.
async fn login_address(t: &TestApp, c: &reqwest::Client, user: &str) -> String {
    let r = c
        .post(t.url("/api/login"))
        .json(&json!({"username": user, "password": DEMO_PASSWORD, "totp": bastion_testkit::demo_totp_code()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let log = t.app.store.login_log(50, 0).await.unwrap();
    log.into_iter().find(|e| e.username == user && e.success).unwrap().ip
}

/// Behind a trusted load balancer the client's address is the right-most untrusted entry of
/// X-Forwarded-For (what nginx saw; entries to its left are the client's own say): the logs record
/// it and the deny list applies to it. From an untrusted peer the header is ignored.
async fn client_address_behind_a_trusted_proxy(backend: Backend) {
    let trusted = vec![IpRule::parse("127.0.0.1").unwrap()];
    let t = spawn_app_with(backend, true, bastion_web::WebSettings { trusted_proxies: trusted, ..Default::default() })
        .await;
    let c = forwarded_for("10.9.9.9, 203.0.113.7");
    assert_eq!(login_address(&t, &c, "duty").await, "203.0.113.7");
    t.app.policy.write().unwrap().ip_deny = vec![IpRule::parse("203.0.113.0/24").unwrap()];
    for path in ["/login", "/news"] {
        let r = c.get(t.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(t.client().get(t.url(path)).send().await.unwrap().status(), StatusCode::OK, "{path} unforwarded");
    }
    t.app.policy.write().unwrap().ip_deny = Vec::new();
    // A node that trusts no proxy takes the TCP peer, whatever the header says.
    let plain = t.spawn_node().await;
    assert_eq!(login_address(&plain, &forwarded_for("203.0.113.7"), "commander").await, "127.0.0.1");
}
