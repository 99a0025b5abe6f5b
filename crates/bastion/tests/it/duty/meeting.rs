//! The command structure (指挥体系), and command meetings and tasks (调度会与督办), over real HTTP on
//! both backends, with a real SMS
//! gateway and a real group bot: calling a meeting (bad input named by field), the notices with
//! the check-in link, checking in (once, in its window, for someone else by the organiser), the
//! decisions as tasks with their owner's SMS, the deadline clock (reminded once, escalated once,
//! no names in the groups), the next meeting opening with what is still open, progress and done,
//! sending back, who may see what, and the audit trail.

use bastion_core::org::DutyStatus;
use bastion_store::org::PersonId;
use bastion_testkit::{eventually, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;

use super::super::receivers::{group_bot, sms_gateway};
use super::{fields, person, send};

fn at(ms: i64) -> String {
    bastion_core::time::fmt_ms(ms)
}

/// Send what is queued until `done` holds for what the receivers got.
async fn delivered(t: &TestApp, what: &str, done: impl Fn() -> bool) {
    eventually(what, std::time::Duration::from_secs(30), || async {
        t.app.send_due(bastion_core::time::now_ms()).await.unwrap();
        done().then_some(())
    })
    .await;
}

pub(super) async fn meetings_and_tasks(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let (sms, texts) = sms_gateway().await;
    let (bot, said) = group_bot().await;
    for ch in [
        json!({"kind": "sms", "name": "短信网关", "url": format!("{sms}/sms"), "min_interval_ms": 0, "link_base": t.url("")}),
        json!({"kind": "wecom", "name": "指挥部群", "url": format!("{bot}/wecom?key=k"), "min_interval_ms": 0}),
    ] {
        let (s, v) = send(c.post(t.url("/api/notify/channels")).json(&ch)).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let officer = t.login("officer").await;
    let (_, me) = send(officer.get(t.url("/api/me"))).await;
    let me = PersonId(me["person_id"].as_i64().expect("the demo officer is a person"));
    let person = t.app.store.person(me).await.unwrap();
    let (_, mobile) = t.app.store.person_contact(me).await.unwrap();
    let mobile = mobile.expect("the demo officer has a mobile");
    let to_officer =
        || texts.lock().unwrap().iter().filter(|(m, _)| *m == mobile).map(|(_, x)| x.clone()).collect::<Vec<_>>();
    let heard = |what: &str| said.lock().unwrap().iter().filter(|m| m.contains(what)).cloned().collect::<Vec<_>>();

    // Bad input is named field by field; nothing is written.
    let (s, e) = send(c.post(t.url("/api/duty/meetings")).json(&json!({}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(fields(&e).0, ["会议类型", "会议名称", "开始时间", "地点", "参会人员"], "{e}");
    let now = bastion_core::time::now_ms();
    let bad = json!({"kind": "调度会", "title": "测试", "starts_at": at(now - 3 * 86_400_000), "place": "三楼会议室", "police_nos": "ZZ0000"});
    let (s, e) = send(c.post(t.url("/api/duty/meetings")).json(&bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (f, m) = fields(&e);
    assert_eq!(f, ["开始时间", "参会人员"], "{e}");
    assert!(m.contains("不能早于 24 小时前") && m.contains("ZZ0000"), "{m}");
    let (_, list) = send(c.get(t.url("/api/duty/meetings"))).await;
    assert_eq!(list["meetings"].as_array().unwrap().len(), 0, "nothing half-written: {list}");

    // A scheduling meeting in 30 minutes: the information group and the officer by number.
    let (_, command) = send(c.get(t.url("/api/duty/command"))).await;
    let group = command["groups"].as_array().unwrap().iter().find(|g| g["group"]["name"] == "信息研判组").unwrap();
    let members: Vec<i64> =
        group["members"].as_array().unwrap().iter().map(|m| m["person_id"].as_i64().unwrap()).collect();
    assert!(!members.is_empty() && !members.contains(&me.0));
    let meeting = json!({
        "kind": "scheduling", "title": "疫情防控第一次调度会", "starts_at": at(now + 30 * 60_000),
        "place": "指挥部三楼会议室", "link": "https://meet.example.invalid/123", "agenda": "一、通报卡点情况\n二、部署夜间巡控",
        "group_ids": [group["group"]["id"]], "police_nos": person.police_no,
    });
    let (s, made) = send(c.post(t.url("/api/duty/meetings")).json(&meeting)).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let first = made["id"].as_i64().unwrap();
    let (s, v) = send(c.get(t.url(&format!("/api/duty/meetings/{first}")))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["meeting"]["participants"], members.len() as i64 + 1);
    assert_eq!(v["meeting"]["present"], 0);
    assert_eq!(v["meeting"]["agenda"], "一、通报卡点情况\n二、部署夜间巡控", "the agenda keeps its lines");
    // Each participant's notice carries the check-in link; the group hears of it without names.
    let link = format!("/duty/meetings/{first}");
    delivered(&t, "the officer's notice", || to_officer().iter().any(|x| x.contains(&link))).await;
    let notice = to_officer().into_iter().find(|x| x.contains(&link)).unwrap();
    assert!(notice.starts_with("【调度会】") && notice.contains("指挥部三楼会议室"), "{notice}");
    delivered(&t, "the group's notice", || !heard("【调度会通知】").is_empty()).await;
    assert!(heard("【调度会通知】")[0].contains(&format!("{} 人参会", members.len() + 1)));
    assert!(!heard("【调度会通知】")[0].contains(&person.name), "no names in a group message");

    // The officer sees the meeting they are called to and checks in once; a desk clerk of
    // another unit who is not called and may not read duty cannot see it.
    let (s, v) = send(officer.get(t.url(&format!("/api/duty/meetings/{first}")))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["invited"], true);
    assert!(v["check_in_refusal"].is_null(), "{v}");
    let editor = t.login("editor").await;
    let (s, _) = send(editor.get(t.url(&format!("/api/duty/meetings/{first}")))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, a) = send(officer.post(t.url(&format!("/api/duty/meetings/{first}/checkin"))).json(&json!({}))).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert!(a["checked_in_at"].is_i64());
    let (s, e) = send(officer.post(t.url(&format!("/api/duty/meetings/{first}/checkin"))).json(&json!({}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    // The organiser checks in a member in the room; the officer may not check in someone else.
    let (s, e) = send(
        officer.post(t.url(&format!("/api/duty/meetings/{first}/checkin"))).json(&json!({"person_id": members[0]})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let (s, _) =
        send(c.post(t.url(&format!("/api/duty/meetings/{first}/checkin"))).json(&json!({"person_id": members[0]})))
            .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = send(c.get(t.url(&format!("/api/duty/meetings/{first}")))).await;
    assert_eq!(v["meeting"]["present"], 2);

    // A decision becomes a task for the officer: refused when the deadline has passed or the
    // owner is unknown; the owner gets an SMS with the task's link, the group a line without names.
    let task = |deadline: i64, owner: &str| {
        json!({"meeting_id": first, "title": "加密城关卡点夜间巡逻频次", "detail": "每两小时一巡\n巡逻记录报指挥部",
               "owner_police_no": owner, "deadline": at(deadline)})
    };
    let (s, e) = send(c.post(t.url("/api/duty/tasks")).json(&task(now - 3_600_000, "ZZ0000"))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(fields(&e).0, ["办理时限", "责任人"], "{e}");
    let deadline = now + 2 * 3_600_000;
    let (s, made) = send(c.post(t.url("/api/duty/tasks")).json(&task(deadline, &person.police_no))).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let task_id = made["id"].as_i64().unwrap();
    let task_link = format!("/duty/tasks/{task_id}");
    delivered(&t, "the owner's SMS", || to_officer().iter().any(|x| x.contains(&task_link))).await;
    assert!(to_officer().iter().any(|x| x.starts_with("【督办】") && x.contains("加密城关卡点夜间巡逻频次")));
    delivered(&t, "the group's line", || !heard("新增 1 项督办事项").is_empty()).await;
    assert!(!heard("新增 1 项督办事项")[0].contains(&person.name));
    // The owner sees it as theirs; the editor neither lists nor opens it.
    let (_, mine) = send(officer.get(t.url("/api/duty/tasks?status=mine"))).await;
    assert_eq!(mine.as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect::<Vec<_>>(), [task_id]);
    let (s, theirs) = send(editor.get(t.url("/api/duty/tasks"))).await;
    assert_eq!(s, StatusCode::OK);
    assert!(theirs.as_array().unwrap().is_empty(), "{theirs}");
    let (s, _) = send(editor.get(t.url(&format!("/api/duty/tasks/{task_id}")))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let home = officer.get(t.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("加密城关卡点夜间巡逻频次") && home.contains("督办"), "the owner's to-do");

    // The dashboard's duty section counts it open, not yet overdue.
    let (_, d) = send(c.get(t.url("/api/dashboard"))).await;
    let duty = d.as_array().unwrap().iter().find(|s| s["feature"] == "duty").unwrap().clone();
    let figure = |label: &str| {
        duty["figures"].as_array().unwrap().iter().find(|f| f["label"] == label).unwrap()["value"].clone()
    };
    assert_eq!((figure("督办办理中"), figure("督办逾期")), (json!("1"), json!("0")), "{duty}");

    // The clock: reminded once before the deadline, escalated once after it (the job may run
    // it too; either way one of each), the groups told without names.
    for _ in 0..2 {
        t.app.duty_task_clock(bastion_core::time::now_ms()).await.unwrap();
    }
    for _ in 0..2 {
        t.app.duty_task_clock(deadline + 60_000).await.unwrap();
    }
    delivered(&t, "the reminder and the escalation", || {
        !heard("【督办提醒】").is_empty() && !heard("【督办逾期】").is_empty()
    })
    .await;
    assert_eq!(heard("【督办提醒】").len(), 1, "{:?}", heard("【督办"));
    assert_eq!(heard("【督办逾期】").len(), 1, "{:?}", heard("【督办"));
    assert!(heard("【督办逾期】")[0].contains(&person.unit_name) && !heard("【督办逾期】")[0].contains(&person.name));
    delivered(&t, "the owner's three messages", || to_officer().iter().filter(|x| x.contains(&task_link)).count() == 3)
        .await;

    // The next meeting opens with what is still open from this one.
    let next = json!({"kind": "progress", "title": "第二次推进会", "starts_at": at(now + 60 * 60_000),
                      "link": "腾讯会议 123 456 789", "police_nos": person.police_no});
    let (s, made) = send(c.post(t.url("/api/duty/meetings")).json(&next)).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let second = made["id"].as_i64().unwrap();
    let (_, v) = send(officer.get(t.url(&format!("/api/duty/meetings/{second}")))).await;
    let carried: Vec<i64> = v["carried_over"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(carried, [task_id], "{v}");
    assert!(v["check_in_refusal"].is_null(), "an hour before: check-in is open");

    // Progress, then done — by the owner; a second "done" is refused; the trail keeps its lines.
    let note = |body: &str, done: bool| json!({"body": body, "done": if done { "1" } else { "" }});
    let (s, e) = send(officer.post(t.url(&format!("/api/duty/tasks/{task_id}/notes"))).json(&note("好", false))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(fields(&e).0, ["进展"]);
    let (s, v) =
        send(officer.post(t.url(&format!("/api/duty/tasks/{task_id}/notes"))).json(&note("已排班\n今晚起执行", false)))
            .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = send(
        officer.post(t.url(&format!("/api/duty/tasks/{task_id}/notes"))).json(&note("巡逻频次已加密并报备", true)),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["task"]["status"], "done");
    assert_eq!(v["notes"][0]["body"], "已排班\n今晚起执行");
    let (s, _) =
        send(officer.post(t.url(&format!("/api/duty/tasks/{task_id}/notes"))).json(&note("再报一次办结", true))).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, v) = send(c.get(t.url(&format!("/api/duty/meetings/{second}")))).await;
    assert!(v["carried_over"].as_array().unwrap().is_empty(), "done: no longer carried over: {v}");

    // Sent back by the HQ only, with a reason and (the deadline having passed in the clock's
    // view is irrelevant here) a new deadline; open again.
    let (s, _) =
        send(officer.post(t.url(&format!("/api/duty/tasks/{task_id}/reopen"))).json(&json!({"reason": "自己退回"})))
            .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = send(c.post(t.url(&format!("/api/duty/tasks/{task_id}/reopen"))).json(&json!({}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e).0, ["退回原因"]);
    let (s, v) = send(
        c.post(t.url(&format!("/api/duty/tasks/{task_id}/reopen")))
            .json(&json!({"reason": "巡逻记录未上传", "deadline": at(now + 5 * 3_600_000)})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["task"]["status"], "open");
    assert!(v["task"]["reminded_at"].is_null() && v["task"]["escalated_at"].is_null(), "a new deadline, a new clock");

    // Closing ends check-in.
    let (s, _) = send(c.post(t.url(&format!("/api/duty/meetings/{second}/close")))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = send(c.post(t.url(&format!("/api/duty/meetings/{second}/close")))).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, e) = send(officer.post(t.url(&format!("/api/duty/meetings/{second}/checkin"))).json(&json!({}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(e.to_string().contains("会议已结束"), "{e}");

    // A meeting three hours away cannot be checked in to yet.
    let later = json!({"kind": "topic", "title": "物资保障专题会", "starts_at": at(now + 3 * 3_600_000),
                       "place": "二楼小会议室", "police_nos": person.police_no});
    let (_, made) = send(c.post(t.url("/api/duty/meetings")).json(&later)).await;
    let (s, e) = send(
        officer.post(t.url(&format!("/api/duty/meetings/{}/checkin", made["id"].as_i64().unwrap()))).json(&json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(fields(&e).0, ["签到"]);

    // The officer's page, seen by the HQ desk: the open task in the duty section; kit and party
    // records are the desk's to see neither, and the page says so instead of showing nothing.
    let desk = t.login("duty").await;
    let page = desk.get(t.url(&format!("/org/people/{}", me.0))).send().await.unwrap().text().await.unwrap();
    let section = |page: &str, name: &str| {
        page.split(&format!("data-testid=\"person-{name}\""))
            .nth(1)
            .and_then(|s| s.split("</section>").next())
            .unwrap_or("")
            .to_string()
    };
    assert!(section(&page, "duty").contains("督办：加密城关卡点夜间巡逻频次"), "{page}");
    assert!(section(&page, "supplies").contains("无权查看此部分"), "{page}");
    assert!(section(&page, "party").contains("无权查看此部分"), "{page}");
    // The commander's own page lists their place in the command structure.
    let (_, cme) = send(c.get(t.url("/api/me"))).await;
    let own = c.get(t.url(&format!("/org/people/{}", cme["person_id"]))).send().await.unwrap().text().await.unwrap();
    assert!(section(&own, "duty").contains("指挥部专班 · "), "{own}");
    assert!(!section(&own, "party").contains("无权查看此部分"), "the commander reads party records");

    let (_, audit) = send(t.login("auditadmin").await.get(t.url("/api/audit?module=duty&size=100"))).await;
    let audit = audit.to_string();
    for action in ["召开会议", "会议签到", "交办督办事项", "督办事项进展", "督办事项办结", "退回督办事项", "结束会议"]
    {
        assert!(audit.contains(action), "audited: {action}");
    }
}

/// The command structure: the leading group, the HQ special team and the work groups with their
/// leaders and members; who may change it.
pub(super) async fn command_structure(backend: Backend) {
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
    let pdf: String = super::super::pdf::text(&r.bytes().await.unwrap()).split_whitespace().collect();
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
