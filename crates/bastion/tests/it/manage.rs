//! The management actions a bureau's administrators expect on their pages, on both backends:
//! units changed (not their code), operations changed and ended, channels changed and deleted
//! (only when they never carried a message), custom roles granted by feature group, and the
//! recall form's unit tree. Each write is audited; each refusal names the rule.

use bastion_testkit::{both_backends, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::recall::unit_id;

async fn audited(t: &TestApp, user: &str, module: &str) -> Vec<String> {
    let (rows, _) = t.app.store.audit_records(Some(user), Some(module), 50, 0).await.unwrap();
    rows.into_iter().map(|a| format!("{} {}", a.action, a.target)).collect()
}

async fn units_change_on_their_page(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let sys = t.login("sysadmin").await;
    let d13 = unit_id(&t, "D13").await;

    // The list offers 修改 on each unit; the form keeps the code fixed.
    let page = sys.get(t.url("/org/units")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/org/units/{d13}/edit")), "each unit has its change link");
    let form = sys.get(t.url(&format!("/org/units/{d13}/edit"))).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("修改单位") && form.contains("单位编码供导入和命令行引用，不可修改"), "{form:.300}");

    // A bad order number is named; nothing changes.
    let r = sys
        .post(t.url(&format!("/org/units/{d13}")))
        .form(&[("name", "审计大队"), ("kind", "department"), ("sort_order", "三"), ("phone", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("显示顺序必须是整数"));
    let before = t.app.store.unit(bastion_store::org::UnitId(d13)).await.unwrap();

    let r = sys
        .post(t.url(&format!("/org/units/{d13}")))
        .form(&[("name", "审计监督大队"), ("kind", before.kind.code()), ("sort_order", "7"), ("phone", "0551-1234567")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let after = t.app.store.unit(bastion_store::org::UnitId(d13)).await.unwrap();
    assert_eq!(
        (after.name.as_str(), after.sort_order, after.phone.as_deref()),
        ("审计监督大队", 7, Some("0551-1234567"))
    );
    assert_eq!((after.code.as_str(), after.parent_id), (before.code.as_str(), before.parent_id), "code and place stay");
    let page = sys.get(t.url("/org/units")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("审计监督大队"));
    assert!(audited(&t, "sysadmin", "org")
        .await
        .iter()
        .any(|a| a.starts_with("修改单位") && a.contains("审计监督大队")));

    // The API does the same; an unknown unit is 404, a reader without the right is refused.
    let r = sys
        .put(t.url(&format!("/api/units/{d13}")))
        .json(&json!({"name": "审计大队", "kind": before.kind.code(), "sort_order": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["name"], "审计大队");
    let r =
        sys.put(t.url("/api/units/999999")).json(&json!({"name": "无", "kind": "department"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let commander = t.login("commander").await;
    let r = commander.put(t.url(&format!("/api/units/{d13}"))).json(&json!({"name": "改名"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = commander.get(t.url("/org/units")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("/edit"), "a reader is not offered 修改");
}

async fn operations_change_and_end(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let ops: Vec<Value> = c.get(t.url("/api/operations")).send().await.unwrap().json().await.unwrap();
    let active = ops.iter().find(|o| o["status"] == "active").expect("the demo has an active operation");
    let id = active["id"].as_i64().unwrap();

    let page = c.get(t.url("/operations")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/operations/{id}/edit")) && page.contains(&format!("/operations/{id}/close")));

    // An end date before the start is refused with the rule; the form keeps what was typed.
    let start = active["start_date"].as_str().unwrap().to_string();
    let r = c
        .post(t.url(&format!("/operations/{id}")))
        .form(&[("name", "新名称"), ("status", "active"), ("start_date", &start), ("end_date", "2000-01-01")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("结束日期不能早于开始日期") && html.contains("新名称"), "{html:.200}");

    let r = c
        .post(t.url(&format!("/operations/{id}")))
        .form(&[("name", "疫情防控阻击战"), ("status", "active"), ("start_date", &start), ("description", "全局动员")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // 结束行动: closed, ended today, audited; ending it twice is refused by name.
    let r = c.post(t.url(&format!("/operations/{id}/close"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ops: Vec<Value> = c.get(t.url("/api/operations")).send().await.unwrap().json().await.unwrap();
    let o = ops.iter().find(|o| o["id"] == id).unwrap();
    assert_eq!(o["status"], "closed");
    assert_eq!(o["name"], "疫情防控阻击战");
    assert_eq!(o["end_date"], bastion_core::time::today().to_string());
    let r = c.post(t.url(&format!("/operations/{id}/close"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("行动“疫情防控阻击战”已结束"));
    let actions = audited(&t, "commander", "operation").await;
    assert!(actions.iter().any(|a| a.starts_with("修改行动")) && actions.iter().any(|a| a.starts_with("结束行动")));
    let officer = t.login("officer").await;
    assert_eq!(
        officer.post(t.url(&format!("/operations/{id}/close"))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}

async fn channels_change_and_delete(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let add = |name: &str| json!({"kind": "wecom", "name": name, "url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=abc", "secret": "s3cret"});
    let r = c.post(t.url("/api/notify/channels")).json(&add("测试群")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let secret_before = t.app.store.channels().await.unwrap().into_iter().find(|x| x.id.0 == id).unwrap().secret_cipher;

    // The edit form shows the settings, never the secret; saving with it empty keeps it.
    let form = c.get(t.url(&format!("/notify/channels/{id}/edit"))).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("修改通知渠道") && form.contains("留空则保持原密钥") && !form.contains("s3cret"));
    let r = c
        .post(t.url(&format!("/notify/channels/{id}")))
        .form(&[("kind", "wecom"), ("name", "指挥部群"), ("url", "http://127.0.0.1:9/hook"), ("secret", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ch = t.app.store.channels().await.unwrap().into_iter().find(|x| x.id.0 == id).unwrap();
    assert_eq!((ch.name.as_str(), ch.url.as_str()), ("指挥部群", "http://127.0.0.1:9/hook"));
    assert_eq!(ch.secret_cipher, secret_before, "an empty secret keeps the stored one");
    let r = c
        .put(t.url(&format!("/api/notify/channels/{id}")))
        .json(&json!({"kind": "wecom", "name": "指挥部群", "url": "ftp://x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("地址须为以 http:// 或 https:// 开头的 URL"));

    // A channel that carried a message cannot be deleted (its sent counts would change) …
    let d13 = unit_id(&t, "D13").await;
    let (status, _) = super::recall::issue(&c, &t, d13, json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    let r = c.post(t.url(&format!("/notify/channels/{id}/delete"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("渠道“指挥部群”已有") && html.contains("请点“停用”"), "{html:.300}");
    assert!(t.app.store.channels().await.unwrap().iter().any(|x| x.id.0 == id), "still there");

    // … one that never did can.
    let r = c.post(t.url("/api/notify/channels")).json(&add("拼错的群")).send().await.unwrap();
    let spare = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = c.delete(t.url(&format!("/api/notify/channels/{spare}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!t.app.store.channels().await.unwrap().iter().any(|x| x.id.0 == spare));
    assert_eq!(
        c.delete(t.url(&format!("/api/notify/channels/{spare}"))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let actions = audited(&t, "commander", "notify").await;
    assert!(
        actions.iter().any(|a| a.starts_with("修改通知渠道")) && actions.iter().any(|a| a.starts_with("删除通知渠道"))
    );
}

async fn roles_are_granted_by_feature_group(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let sec = t.login("secadmin").await;
    let page = sec.get(t.url("/system/roles")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("data-perm-group=\"recall\"") && page.contains("召集令"), "groups named in Chinese");
    assert!(!page.contains("<code"), "no permission codes on the form");

    // Ticked without a group scope: refused with the permission named, nothing saved.
    let form = [
        ("key", "gate_lead"),
        ("name", "卡点组长"),
        ("perm", "checkpoint:screening:write"),
        ("perm", "checkpoint:fever:write"),
    ];
    let r = sec.post(t.url("/system/roles")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("已勾选“卡点·测温登记·新增修改”，请为它所在的分组选择数据范围"), "{html:.300}");
    assert!(!html.contains("id=\"custom-roles\""), "nothing saved");

    // One scope for the group applies to each ticked permission of it.
    let mut form = form.to_vec();
    form.push(("group:checkpoint", "unit"));
    let r = sec.post(t.url("/system/roles")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let roles: Value = sec.get(t.url("/api/roles")).send().await.unwrap().json().await.unwrap();
    let role = roles["custom"].as_array().unwrap().iter().find(|r| r["key"] == "gate_lead").unwrap().clone();
    let mut grants: Vec<(String, String)> = role["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["perm"].as_str().unwrap().into(), g["scope"].as_str().unwrap().into()))
        .collect();
    grants.sort();
    assert_eq!(
        grants,
        vec![("checkpoint:fever:write".into(), "unit".into()), ("checkpoint:screening:write".into(), "unit".into())]
    );
}

async fn the_recall_form_picks_units_from_the_tree(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let html = c.get(t.url("/recall")).send().await.unwrap().text().await.unwrap();
    // No scope is chosen; units are checkboxes in tree order with subtree headcounts.
    assert!(html.contains("value=\"\" selected disabled"), "no scope preselected");
    assert!(!html.contains("name=\"mode\" value=\"live\" required checked"), "no mode preselected");
    assert!(html.contains("type=\"checkbox\" name=\"unit_ids\""));
    let bureau_total = t.app.store.unit_headcounts().await.unwrap().iter().map(|(_, n)| n).sum::<i64>();
    let root = t.app.store.units().await.unwrap().into_iter().find(|u| u.parent_id.is_none()).unwrap();
    let line =
        html.split("<li").find(|l| l.contains(&format!("value=\"{}\"", root.id.0))).expect("the bureau is in the tree");
    assert!(line.contains(&format!("<small>{bureau_total} 人</small>")), "the root counts the whole bureau: {line}");
    let s01 = unit_id(&t, "S01").await;
    let at = |id: i64| html.find(&format!("name=\"unit_ids\" value=\"{id}\"")).unwrap();
    assert!(at(s01) > at(root.id.0), "children after their parent");

    // Ticked units come back ticked on the preview.
    let d13 = unit_id(&t, "D13").await;
    let r = c
        .post(t.url("/recall"))
        .form(&[
            ("title", "督察返岗"),
            ("message", "请返岗"),
            ("mode", "drill"),
            ("scope", "units"),
            ("unit_ids", &d13.to_string()),
            ("deadline_minutes", "30"),
            ("report_to", "any_post"),
        ])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("name=\"unit_ids\" value=\"{d13}\" checked")), "the choice is kept");
    assert!(html.contains("data-testid=\"preview\""), "the preview shows the audience");
}

both_backends!(
    units_change_on_their_page,
    operations_change_and_end,
    channels_change_and_delete,
    roles_are_granted_by_feature_group,
    the_recall_form_picks_units_from_the_tree
);
