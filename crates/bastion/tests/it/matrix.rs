//! Every API route × every role: a role without the route's permission gets 403, a role with it
//! never gets 401/403/500. The table must cover `bastion_web::api::ROUTES` exactly.

use bastion_core::permission::{perm, scope_for};
use bastion_testkit::{both_backends, spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::json;

/// (method, path as requested, route pattern, permission; None = any signed-in account)
const MATRIX: &[(&str, &str, &str, Option<&str>)] = &[
    ("get", "/api/me", "/api/me", None),
    ("post", "/api/password", "/api/password", None),
    ("get", "/api/units", "/api/units", Some(perm::UNIT_READ)),
    ("post", "/api/units", "/api/units", Some(perm::UNIT_WRITE)),
    ("get", "/api/people", "/api/people", Some(perm::PERSON_READ)),
    ("post", "/api/people", "/api/people", Some(perm::PERSON_WRITE)),
    ("get", "/api/people/1", "/api/people/{id}", Some(perm::PERSON_READ)),
    ("put", "/api/people/1", "/api/people/{id}", Some(perm::PERSON_WRITE)),
    ("post", "/api/people/1/enable", "/api/people/{id}/enable", Some(perm::PERSON_WRITE)),
    ("post", "/api/people/999999/disable", "/api/people/{id}/disable", Some(perm::PERSON_WRITE)),
    ("post", "/api/people/1/reveal", "/api/people/{id}/reveal", Some(perm::PERSON_REVEAL)),
    ("get", "/api/people/export?format=csv", "/api/people/export", Some(perm::PERSON_EXPORT)),
    ("get", "/api/people/template", "/api/people/template", Some(perm::PERSON_IMPORT)),
    ("post", "/api/people/import?dry_run=true", "/api/people/import", Some(perm::PERSON_IMPORT)),
    ("get", "/api/operations", "/api/operations", Some(perm::OPERATION_READ)),
    ("post", "/api/operations", "/api/operations", Some(perm::OPERATION_WRITE)),
    ("put", "/api/operations/1", "/api/operations/{id}", Some(perm::OPERATION_WRITE)),
    ("get", "/api/audit", "/api/audit", Some(perm::AUDIT_READ)),
    ("get", "/api/audit/export", "/api/audit/export", Some(perm::AUDIT_READ)),
    ("get", "/api/login-log", "/api/login-log", Some(perm::AUDIT_READ)),
    ("get", "/api/accounts", "/api/accounts", Some(perm::ACCOUNT_READ)),
    ("post", "/api/accounts", "/api/accounts", Some(perm::ACCOUNT_WRITE)),
    ("put", "/api/accounts/nobody/roles", "/api/accounts/{username}/roles", Some(perm::ROLE_GRANT)),
    ("post", "/api/accounts/nobody/unlock", "/api/accounts/{username}/unlock", Some(perm::ACCOUNT_UNLOCK)),
    ("post", "/api/accounts/nobody/disable", "/api/accounts/{username}/disable", Some(perm::ACCOUNT_WRITE)),
    ("get", "/api/policy", "/api/policy", Some(perm::POLICY_WRITE)),
    ("put", "/api/policy", "/api/policy", Some(perm::POLICY_WRITE)),
    ("get", "/api/sessions", "/api/sessions", Some(perm::SESSION_MANAGE)),
    ("post", "/api/sessions/none/revoke", "/api/sessions/{id}/revoke", Some(perm::SESSION_MANAGE)),
    ("get", "/api/roles", "/api/roles", Some(perm::ROLE_GRANT)),
    ("post", "/api/roles", "/api/roles", Some(perm::ROLE_GRANT)),
    ("put", "/api/roles/nobody", "/api/roles/{key}", Some(perm::ROLE_GRANT)),
    ("post", "/api/roles/nobody/delete", "/api/roles/{key}/delete", Some(perm::ROLE_GRANT)),
    // checkpoint (issue 5)
    ("get", "/api/checkpoints", "/api/checkpoints", Some(perm::CHECKPOINT_READ)),
    ("post", "/api/checkpoints", "/api/checkpoints", Some(perm::CHECKPOINT_WRITE)),
    ("put", "/api/checkpoints/1", "/api/checkpoints/{id}", Some(perm::CHECKPOINT_WRITE)),
    ("get", "/api/checkpoints/1/screenings", "/api/checkpoints/{id}/screenings", Some(perm::SCREENING_READ)),
    ("post", "/api/checkpoints/registrations", "/api/checkpoints/registrations", Some(perm::SCREENING_WRITE)),
    ("get", "/api/checkpoints/passes/12345678", "/api/checkpoints/passes/{code}", Some(perm::SCREENING_WRITE)),
    ("post", "/api/checkpoints/trace", "/api/checkpoints/trace", Some(perm::SCREENING_TRACE)),
    ("get", "/api/checkpoints/fever-cases", "/api/checkpoints/fever-cases", Some(perm::SCREENING_READ)),
    ("get", "/api/checkpoints/fever-cases/1", "/api/checkpoints/fever-cases/{id}", Some(perm::SCREENING_READ)),
    (
        "post",
        "/api/checkpoints/fever-cases/1/handover",
        "/api/checkpoints/fever-cases/{id}/handover",
        Some(perm::FEVER_WRITE),
    ),
    (
        "post",
        "/api/checkpoints/fever-cases/1/follow-ups",
        "/api/checkpoints/fever-cases/{id}/follow-ups",
        Some(perm::FEVER_WRITE),
    ),
    (
        "post",
        "/api/checkpoints/fever-cases/1/close",
        "/api/checkpoints/fever-cases/{id}/close",
        Some(perm::FEVER_WRITE),
    ),
    ("get", "/api/checkpoints/alerts", "/api/checkpoints/alerts", Some(perm::SCREENING_READ)),
    ("post", "/api/checkpoints/purge", "/api/checkpoints/purge", Some(perm::SCREENING_PURGE)),
    // recall (召集令)
    ("get", "/api/recall", "/api/recall", Some(perm::RECALL_READ)),
    ("post", "/api/recall", "/api/recall", Some(perm::RECALL_ISSUE)),
    ("post", "/api/recall/preview", "/api/recall/preview", Some(perm::RECALL_ISSUE)),
    ("get", "/api/recall/channels", "/api/recall/channels", Some(perm::RECALL_CHANNEL)),
    ("post", "/api/recall/channels", "/api/recall/channels", Some(perm::RECALL_CHANNEL)),
    ("get", "/api/recall/999999", "/api/recall/{id}", Some(perm::RECALL_READ)),
    ("post", "/api/recall/999999/approve", "/api/recall/{id}/approve", Some(perm::RECALL_APPROVE)),
    ("post", "/api/recall/999999/close", "/api/recall/{id}/close", Some(perm::RECALL_ISSUE)),
    ("post", "/api/recall/999999/remind", "/api/recall/{id}/remind", Some(perm::RECALL_MANAGE)),
    ("post", "/api/recall/999999/answer", "/api/recall/{id}/answer", None),
    ("post", "/api/recall/999999/people/1", "/api/recall/{id}/people/{person}", Some(perm::RECALL_MANAGE)),
    ("get", "/api/recall/999999/missing/export", "/api/recall/{id}/missing/export", Some(perm::RECALL_READ)),
    // publicity
    ("get", "/api/publicity/articles", "/api/publicity/articles", Some(perm::PUBLICITY_READ)),
    ("post", "/api/publicity/articles", "/api/publicity/articles", Some(perm::PUBLICITY_WRITE)),
    ("get", "/api/publicity/articles/1", "/api/publicity/articles/{id}", Some(perm::PUBLICITY_READ)),
    ("put", "/api/publicity/articles/1", "/api/publicity/articles/{id}", Some(perm::PUBLICITY_WRITE)),
    // submit/reopen need write, return/publish/withdraw need review: the roles holding either are the readers
    ("post", "/api/publicity/articles/1/step", "/api/publicity/articles/{id}/step", Some(perm::PUBLICITY_READ)),
    (
        "get",
        "/api/publicity/articles/1/diff?from=1&to=1",
        "/api/publicity/articles/{id}/diff",
        Some(perm::PUBLICITY_READ),
    ),
    ("post", "/api/publicity/images", "/api/publicity/images", Some(perm::PUBLICITY_WRITE)),
    ("get", "/api/publicity/reads", "/api/publicity/reads", Some(perm::PUBLICITY_READ)),
    ("post", "/api/publicity/reads", "/api/publicity/reads", Some(perm::PUBLICITY_WRITE)),
    ("get", "/api/publicity/totals", "/api/publicity/totals", Some(perm::PUBLICITY_READ)),
    ("get", "/api/publicity/honours", "/api/publicity/honours", Some(perm::PUBLICITY_READ)),
    ("post", "/api/publicity/honours", "/api/publicity/honours", Some(perm::HONOUR_WRITE)),
    ("post", "/api/publicity/honours/1/step", "/api/publicity/honours/{id}/step", Some(perm::HONOUR_WRITE)),
];

/// Routes that need no session or end it: covered by their own tests.
const OUTSIDE: &[&str] = &["/api/login", "/api/logout", "/api/openapi.json"];

#[test]
fn matrix_covers_every_route() {
    let mut covered: Vec<(String, String)> = MATRIX.iter().map(|(m, _, r, _)| (m.to_string(), r.to_string())).collect();
    covered.extend(
        bastion_web::api::ROUTES
            .iter()
            .filter(|(_, p)| OUTSIDE.contains(p))
            .map(|(m, p)| (m.to_string(), p.to_string())),
    );
    let mut routes: Vec<(String, String)> =
        bastion_web::api::ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    covered.sort();
    routes.sort();
    assert_eq!(covered, routes);
}

async fn every_route_for_every_role(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let mut checked = 0;
    for (username, _, roles, _, _) in bastion_app::demo::ACCOUNTS.iter().filter(|a| a.0 != "admin") {
        let roles: Vec<String> = roles.split(',').map(str::to_string).collect();
        let c = t.login(username).await;
        for (method, path, route, needed) in MATRIX {
            let url = t.url(path);
            // Bodies of the right shape, so the permission check (not the body parser) decides.
            let body = match *route {
                "/api/accounts/{username}/roles" => json!({"roles": ["duty"]}),
                "/api/accounts" => json!({"username": "mx", "display_name": "x", "unit_id": 1, "password": "x"}),
                "/api/roles" | "/api/roles/{key}" => json!({"key": "mx", "name": "x", "grants": []}),
                _ => json!({}),
            };
            let req = match *method {
                "get" => c.get(&url),
                "put" => c.put(&url).json(&body),
                _ if route.ends_with("/import") => c.post(&url).multipart(
                    reqwest::multipart::Form::new()
                        .part("file", reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("x.csv")),
                ),
                _ => c.post(&url).json(&body),
            };
            let status = req.send().await.unwrap().status();
            let allowed = needed.is_none_or(|p| scope_for(&roles, p).is_some());
            if allowed {
                assert!(
                    ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::INTERNAL_SERVER_ERROR]
                        .contains(&status),
                    "{username} {method} {path}: {status}"
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{username} {method} {path}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 10 * MATRIX.len());
}

both_backends!(every_route_for_every_role);
