//! Custom roles: the security admin defines a role whose grants reach chosen units; its holder
//! sees exactly those units' people — by list, by id and by export — and nothing else.

use bastion_testkit::{both_backends, spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn unit_id(c: &reqwest::Client, t: &bastion_testkit::TestApp, name: &str) -> i64 {
    let units: Value = c.get(t.url("/api/units")).send().await.unwrap().json().await.unwrap();
    units.as_array().unwrap().iter().find(|u| u["name"] == name).unwrap()["id"].as_i64().unwrap()
}

async fn chosen_units_scope_reaches_exactly_those_units(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let commander = t.login("commander").await;
    let east = unit_id(&commander, &t, "东关派出所").await;
    let west = unit_id(&commander, &t, "城关派出所").await;
    let east_people: Value = commander
        .get(t.url(&format!("/api/people?unit_id={east}&size=100")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let east_total = east_people["total"].as_i64().unwrap();
    assert!(east_total > 0);
    let west_people: Value =
        commander.get(t.url(&format!("/api/people?unit_id={west}&size=1"))).send().await.unwrap().json().await.unwrap();
    let west_person = west_people["items"][0]["id"].as_i64().unwrap();

    let sec = t.login("secadmin").await;
    let role = json!({"key": "east_watch", "name": "东关协查", "units": [east], "grants": [
        {"perm": "org:person:read", "scope": "units"},
        {"perm": "org:person:export", "scope": "units"},
        {"perm": "org:unit:read", "scope": "all"}]});
    let r = sec.post(t.url("/api/roles")).json(&role).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let r = sec.put(t.url("/api/accounts/officer/roles")).json(&json!({"roles": ["east_watch"]})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    let officer = t.login("officer").await;
    let me: Value = officer.get(t.url("/api/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["roles"], json!(["east_watch"]));
    // What the role gives is listed for scripts (and the API fuzzer): the custom grants, nothing else.
    let perms: Vec<&str> = me["permissions"].as_array().unwrap().iter().filter_map(|p| p.as_str()).collect();
    assert!(perms.contains(&"org:person:export") && perms.contains(&"org:unit:read"), "{perms:?}");
    assert!(!perms.contains(&"duty:shift:sign"), "the officer's own role was replaced: {perms:?}");
    let list: Value = officer.get(t.url("/api/people?size=100")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["total"].as_i64().unwrap(), east_total, "the list is exactly 东关's subtree");
    let mut seen: Vec<i64> = list["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    let mut want: Vec<i64> =
        east_people["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    seen.sort();
    want.sort();
    assert_eq!(seen, want);
    // Another station's person: not by id, not in the export.
    let r = officer.get(t.url(&format!("/api/people/{west_person}"))).send().await.unwrap();
    assert!(matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", r.status());
    let csv = officer.get(t.url("/api/people/export?format=csv")).send().await.unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().filter(|l| !l.trim().is_empty()).count() as i64, east_total + 1, "header + 东关's people");
    // Not granted: writing people.
    let r = officer.post(t.url(&format!("/api/people/{west_person}/disable"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Widening the role takes effect on the holder's next request, without signing in again.
    let mut wider = role.clone();
    wider["grants"][0]["scope"] = json!("all");
    let r = sec.put(t.url("/api/roles/east_watch")).json(&wider).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let list: Value = officer.get(t.url("/api/people?size=1")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["total"], 956);

    // A held role cannot be deleted; once taken back it can.
    let r = sec.post(t.url("/api/roles/east_watch/delete")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: Value = r.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("officer"), "{body}");
    sec.put(t.url("/api/accounts/officer/roles")).json(&json!({"roles": ["officer"]})).send().await.unwrap();
    assert_eq!(sec.post(t.url("/api/roles/east_watch/delete")).send().await.unwrap().status(), StatusCode::OK);
    let roles: Value = sec.get(t.url("/api/roles")).send().await.unwrap().json().await.unwrap();
    assert_eq!(roles["custom"], json!([]));

    // Every change is in the audit trail.
    let audit: Value = t
        .login("auditadmin")
        .await
        .get(t.url("/api/audit?module=system&size=50"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|r| r["action"].as_str()).collect();
    for a in ["新建自定义角色", "修改自定义角色", "删除自定义角色"] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

async fn bad_roles_are_refused_by_field(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let sec = t.login("secadmin").await;
    let refused = |body: Value| {
        let (sec, url) = (sec.clone(), t.url("/api/roles"));
        async move {
            let r = sec.post(url).json(&body).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let v: Value = r.json().await.unwrap();
            v["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| format!("{}:{}", e["field"], e["message"]))
                .collect::<String>()
        }
    };
    let read = json!([{"perm": "org:person:read", "scope": "all"}]);
    let e =
        refused(json!({"key": "x_grant", "name": "越权", "grants": [{"perm": "system:role:grant", "scope": "all"}]}))
            .await;
    assert!(e.contains("权限") && e.contains("三员"), "{e}");
    let e = refused(json!({"key": "commander", "name": "冒名", "grants": read})).await;
    assert!(e.contains("角色代码") && e.contains("内置角色"), "{e}");
    let e = refused(json!({"key": "Bad Key", "name": "x", "grants": read})).await;
    assert!(e.contains("角色代码"), "{e}");
    let e = refused(json!({"key": "no_units", "name": "x", "grants": [{"perm": "org:person:read", "scope": "units"}]}))
        .await;
    assert!(e.contains("指定单位"), "{e}");
    let e =
        refused(json!({"key": "bad_scope", "name": "x", "grants": [{"perm": "org:person:read", "scope": "galaxy"}]}))
            .await;
    assert!(e.contains("数据范围"), "{e}");
    let e = refused(json!({"key": "empty", "name": "x", "grants": []})).await;
    assert!(e.contains("至少授予一项权限"), "{e}");
    // Nothing was stored.
    let roles: Value = sec.get(t.url("/api/roles")).send().await.unwrap().json().await.unwrap();
    assert_eq!(roles["custom"], json!([]));
    // Built-in roles cannot be deleted; an unknown one is not found.
    let r = sec.post(t.url("/api/roles/sysadmin/delete")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("内置角色，不能删除"));
    assert_eq!(sec.post(t.url("/api/roles/ghost/delete")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    // The system admin creates accounts but cannot define roles (三员分立).
    let sys = t.login("sysadmin").await;
    let r =
        sys.post(t.url("/api/roles")).json(&json!({"key": "mine", "name": "x", "grants": read})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Granting an unknown role is refused by name.
    let r = sec.put(t.url("/api/accounts/officer/roles")).json(&json!({"roles": ["ghost"]})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("未知角色：ghost"));
}

both_backends!(chosen_units_scope_reaches_exactly_those_units, bad_roles_are_refused_by_field);
