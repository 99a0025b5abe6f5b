//! Every endpoint (pages and API) × every demo role, from the endpoint declarations
//! (`bastion_web::routes`): a role without the declared permission gets 403, a role with it (or
//! any signed-in role, or anyone for a public endpoint) never gets 401, 403 or 500.

use bastion_core::permission::scope_for;
use bastion_testkit::{both_backends, spawn_app, Backend};
use bastion_web::routes::{endpoints, Access, Method};
use reqwest::StatusCode;

#[test]
fn every_endpoint_is_probed_or_says_why_not() {
    let all = endpoints();
    assert!(all.len() > 150, "pages and API endpoints are declared: {}", all.len());
    // Only endpoints that end the caller's session are left to their own tests.
    let skipped: Vec<&str> = all.iter().filter(|e| e.probe.is_none()).map(|e| e.path).collect();
    assert_eq!(skipped, ["/api/logout", "/logout"]);
    let mut seen = std::collections::HashSet::new();
    for e in &all {
        assert!(seen.insert((e.method, e.path)), "declared twice: {:?} {}", e.method, e.path);
        if e.path.starts_with("/api/") {
            assert!(e.doc.is_some(), "API endpoint without documentation: {}", e.path);
        }
    }
}

async fn every_endpoint_for_every_role(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let all = endpoints();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (username, _, roles, _, _) in bastion_app::demo::ACCOUNTS.iter().filter(|a| a.0 != "admin") {
        let roles: Vec<String> = roles.split(',').map(str::to_string).collect();
        let c = t.login(username).await;
        for e in &all {
            let Some(probe) = e.probe else { continue };
            let url = t.url(probe);
            let upload = e.doc.and_then(|d| d.request) == Some("Upload");
            let req = match e.method {
                Method::Get => c.get(&url),
                Method::Delete => c.delete(&url),
                Method::Put => {
                    c.put(&url).header("content-type", "application/json").body(e.probe_body.unwrap_or("{}"))
                }
                Method::Post if upload => c.post(&url).multipart(
                    reqwest::multipart::Form::new()
                        .part("file", reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("x.csv")),
                ),
                Method::Post => {
                    c.post(&url).header("content-type", "application/json").body(e.probe_body.unwrap_or("{}"))
                }
            };
            let resp = req.send().await.unwrap();
            let status = resp.status();
            let allowed = match e.access {
                Access::Public | Access::PublicSite | Access::SignedIn => true,
                Access::Perm(p) => scope_for(&roles, p).is_some(),
                Access::AnyPerm(ps) => ps.iter().any(|p| scope_for(&roles, p).is_some()),
            };
            let refused = [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::INTERNAL_SERVER_ERROR];
            if (allowed && refused.contains(&status)) || (!allowed && status != StatusCode::FORBIDDEN) {
                wrong.push(format!("{username} {:?} {probe}: {status} (allowed: {allowed})", e.method));
            } else if let (false, Access::Perm(p)) = (allowed, e.access) {
                // The refusal names the permission in Chinese and whom to ask, never its code.
                let text = resp.text().await.unwrap();
                if text.contains(p) || !text.contains("请联系安全管理员") {
                    wrong.push(format!("{username} {:?} {probe}: the refusal says {text:.200}", e.method));
                }
                // A refused page keeps the menu, so the officer can go on from there.
                if !e.path.starts_with("/api/") && !text.contains("class=\"sidebar\"") {
                    wrong.push(format!("{username} {:?} {probe}: the refusal page has no menu", e.method));
                }
            }
            checked += 1;
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} answers disagree with the declared access:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(checked, 10 * all.iter().filter(|e| e.probe.is_some()).count());
}

/// Without a session, an endpoint that needs one answers 401 (API) or sends the browser to the
/// sign-in page; a public one answers.
async fn every_endpoint_without_a_session(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.client();
    for e in endpoints() {
        let Some(probe) = e.probe else { continue };
        let url = t.url(probe);
        let req = match e.method {
            Method::Get => c.get(&url),
            Method::Put => c.put(&url).header("content-type", "application/json").body("{}"),
            Method::Delete => c.delete(&url),
            Method::Post => c.post(&url).header("content-type", "application/json").body("{}"),
        };
        let r = req.send().await.unwrap();
        let status = r.status();
        match e.access {
            Access::Public | Access::PublicSite => {
                assert!(
                    ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::INTERNAL_SERVER_ERROR]
                        .contains(&status),
                    "{:?} {probe}: {status}",
                    e.method
                );
            }
            _ if e.path.starts_with("/api/") => assert_eq!(status, StatusCode::UNAUTHORIZED, "{probe}"),
            _ => {
                assert_eq!(status, StatusCode::SEE_OTHER, "{:?} {probe}", e.method);
                let to = r.headers()["location"].to_str().unwrap();
                assert!(to.starts_with("/login?next="), "{probe} → {to}");
            }
        }
    }
}

both_backends!(every_endpoint_for_every_role, every_endpoint_without_a_session);

/// No link or button leads to a refusal: for every role, every link on every page the role may
/// open (the pages without path parameters) answers without 401, 403 or 500.
async fn no_link_leads_to_a_refusal(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let pages: Vec<_> = endpoints()
        .into_iter()
        .filter(|e| e.method == Method::Get && !e.path.contains('{') && e.access != Access::PublicSite)
        .collect();
    let mut wrong = Vec::new();
    let mut followed = 0;
    for (username, _, roles, _, _) in bastion_app::demo::ACCOUNTS.iter().filter(|a| a.0 != "admin") {
        let roles: Vec<String> = roles.split(',').map(str::to_string).collect();
        let c = t.login(username).await;
        let mut seen = std::collections::HashSet::new();
        for e in &pages {
            let allowed = match e.access {
                Access::Public | Access::PublicSite | Access::SignedIn => true,
                Access::Perm(p) => scope_for(&roles, p).is_some(),
                Access::AnyPerm(ps) => ps.iter().any(|p| scope_for(&roles, p).is_some()),
            };
            if !allowed || e.path.starts_with("/assets/") || e.path.ends_with(".js") {
                continue;
            }
            let r = c.get(t.url(e.path)).send().await.unwrap();
            if !r.headers().get("content-type").is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html")) {
                continue;
            }
            let html = r.text().await.unwrap();
            for link in html.split("href=\"").skip(1).filter_map(|s| s.split('"').next()) {
                let link = link.replace("&amp;", "&");
                let skip = !link.starts_with('/')
                    || link.starts_with("/assets/")
                    || link.starts_with("/news")
                    || link == "/logout"
                    || link.starts_with("/lang/");
                if skip || !seen.insert(link.clone()) {
                    continue;
                }
                let status = c.get(t.url(&link)).send().await.unwrap().status();
                followed += 1;
                if [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::INTERNAL_SERVER_ERROR]
                    .contains(&status)
                {
                    wrong.push(format!("{username}: {} links to {link}: {status}", e.path));
                }
            }
        }
    }
    assert!(followed > 100, "links were followed: {followed}");
    assert!(wrong.is_empty(), "links that lead to a refusal:\n{}", wrong.join("\n"));
}

both_backends!(no_link_leads_to_a_refusal);
