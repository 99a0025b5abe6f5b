//! Organisational life over real HTTP on both backends: meetings recorded with the rules on their
//! dates, check-in on the day and the quorum; the compliance view of each period. A meeting held on site, online or both
//! names where (a place, a video-meeting link) and its agenda, bad input naming the field; members
//! check in and the attendance rate follows; a member is excused with a reason, once, never after
//! checking in; minutes are written once the meeting is held, only by the branch's writers; the
//! branch page shows it all and every write is audited.

use bastion_testkit::{both_backends, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::party::{audited, day, fields, full_members, org_named, send};

async fn meeting(c: &reqwest::Client, t: &TestApp, org: i64, id: i64) -> Value {
    let (s, d) = send(c.get(t.url(&format!("/api/party/orgs/{org}")))).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["meetings"].as_array().unwrap().iter().find(|m| m["meeting"]["id"] == id).cloned().unwrap()
}

async fn meetings_online_minutes_and_absences(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let secretary = t.login("secretary").await;
    let committee = t.login("commander").await;
    let branch = org_named(&committee, &t, "城关派出所党支部").await["id"].as_i64().unwrap();
    let today = bastion_core::time::today().to_string();
    let hold = |body: Value| secretary.post(t.url(&format!("/api/party/orgs/{branch}/meetings"))).json(&body);
    let base = json!({"kind": "theme_day", "on_date": today, "topic": "主题党日：卡点一线重温入党誓词"});
    let with = |extra: Value| {
        let mut b = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };

    // Where it is held is named, or refused naming the field.
    let (s, v) = send(hold(with(json!({"mode": "online"})))).await;
    assert_eq!((s, fields(&v).0), (StatusCode::UNPROCESSABLE_ENTITY, vec!["会议链接".to_string()]), "{v}");
    let (s, v) = send(hold(with(json!({"mode": "both", "place": "所部会议室", "link": "meeting.example/7"})))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(fields(&v).1.contains("须为以 http:// 或 https:// 开头的网址"), "{v}");
    let (s, v) = send(hold(with(json!({"mode": "by_letter"})))).await;
    assert_eq!((s, fields(&v).0), (StatusCode::UNPROCESSABLE_ENTITY, vec!["召开方式".to_string()]), "{v}");
    let link = "https://meeting.qinglan.example/room/7";
    let agenda = "一、重温入党誓词；二、交流卡点值守体会。";
    let (s, v) = send(hold(with(json!({"mode": "both", "place": "所部会议室", "link": link, "agenda": agenda})))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_i64().unwrap();
    let m = meeting(&secretary, &t, branch, id).await;
    assert_eq!((m["meeting"]["mode"].as_str(), m["meeting"]["link"].as_str()), (Some("both"), Some(link)), "{m}");
    assert_eq!(m["meeting"]["agenda"], agenda);
    assert_eq!(m["attendance_rate"], 0.0);
    let expected = m["expected"].as_i64().unwrap();
    assert!(expected > 2, "{m}");

    // A member of the branch checks in from their own account: the rate follows.
    let (_, d) = send(secretary.get(t.url(&format!("/api/party/orgs/{branch}")))).await;
    let first = &d["members"][0];
    let own_no = first["police_no"].as_str().unwrap().to_string();
    let member = t.account("member14", "officer", "S01", first["person_id"].as_i64()).await;
    let (s, v) = send(member.post(t.url(&format!("/api/party/meetings/{id}/check-in")))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let m = meeting(&secretary, &t, branch, id).await;
    let rate = (1000.0 / expected as f64).round() / 10.0;
    assert_eq!(m["attendance_rate"].as_f64(), Some(rate), "{m}");

    // A member is excused with the reason; once; not someone who checked in; only a member.
    let other = d["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["police_no"].as_str().unwrap().to_string())
        .find(|no| *no != own_no)
        .unwrap();
    let excuse = |body: Value| secretary.post(t.url(&format!("/api/party/meetings/{id}/absences"))).json(&body);
    let (s, v) = send(excuse(json!({"police_no": other}))).await;
    assert_eq!((s, fields(&v).0), (StatusCode::UNPROCESSABLE_ENTITY, vec!["缺席原因".to_string()]), "{v}");
    let (s, v) = send(excuse(json!({"police_no": other, "reason": "G319 卡点值守"}))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["excused"], 1, "{v}");
    let (s, v) = send(excuse(json!({"police_no": other, "reason": "G319 卡点值守"}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(fields(&v).1.contains("已登记缺席"), "{v}");
    let (s, v) = send(excuse(json!({"police_no": own_no, "reason": "临时任务"}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(fields(&v).1.contains("已签到"), "{v}");
    let traffic = org_named(&committee, &t, "交警大队第二党支部").await["id"].as_i64().unwrap();
    let (_, d) = send(committee.get(t.url(&format!("/api/party/orgs/{traffic}")))).await;
    let stranger = d["members"][0]["police_no"].as_str().unwrap().to_string();
    let (s, v) = send(excuse(json!({"police_no": stranger, "reason": "临时任务"}))).await;
    assert_eq!((s, fields(&v).0), (StatusCode::UNPROCESSABLE_ENTITY, vec!["警号".to_string()]), "{v}");
    let m = meeting(&secretary, &t, branch, id).await;
    assert_eq!(m["absences"][0]["police_no"], other.as_str(), "{m}");
    assert_eq!(m["absences"][0]["reason"], "G319 卡点值守");

    // Minutes: once held, by the branch's writers only.
    let minutes = |meeting: i64, c: &reqwest::Client, text: &str| {
        c.post(t.url(&format!("/api/party/meetings/{meeting}/minutes"))).json(&json!({"minutes": text}))
    };
    let tomorrow = bastion_core::time::today().tomorrow().unwrap().to_string();
    let (s, v) = send(hold(json!({"kind": "lecture", "on_date": tomorrow, "topic": "专题党课：疫情防控中的党员担当",
        "mode": "online", "link": link})))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let later = v["id"].as_i64().unwrap();
    let (s, v) = send(minutes(later, &secretary, "尚未召开的会议记录")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(fields(&v).1.contains("尚未召开"), "{v}");
    let (s, v) = send(minutes(id, &secretary, "记")).await;
    assert_eq!((s, fields(&v).0), (StatusCode::UNPROCESSABLE_ENTITY, vec!["会议记录".to_string()]), "{v}");
    let text = "全体党员重温入党誓词；各卡点党员交流值守体会，明确下周排班中党员先锋岗安排。";
    let (s, v) = send(minutes(id, &secretary, text)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["minutes"], text);
    let (s, v) = send(committee.post(t.url(&format!("/api/party/orgs/{traffic}/meetings"))).json(&json!({
        "kind": "committee", "on_date": today, "topic": "支委会：研究卡点党员编组", "mode": "offline", "place": "大队会议室"})))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let theirs = v["id"].as_i64().unwrap();
    let (s, _) = send(minutes(theirs, &secretary, "越权填写的会议记录")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "another unit's branch");
    assert_eq!((audited(&t, "填写会议记录").await, audited(&t, "登记会议缺席").await), (1, 1));

    // The branch page shows how it was held, who was excused and the minutes; the member's own
    // page offers the link to join online.
    let page = secretary.get(t.url(&format!("/party/branches/{branch}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("线上线下结合") && page.contains(link) && page.contains(agenda), "how it is held");
    assert!(page.contains("G319 卡点值守") && page.contains(text), "absences and minutes");
    // Today's meeting shows its check-in code; a branch outside the viewer's scope is refused.
    assert!(page.contains(&format!("/party/meetings/{id}/qr.svg")), "the code on the page");
    let r = secretary.get(t.url(&format!("/party/meetings/{id}/qr.svg"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert!(r.text().await.unwrap().contains("<svg"), "an SVG image");
    let r = secretary.get(t.url(&format!("/party/meetings/{theirs}/qr.svg"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "another unit's branch");
    let own = member.get(t.url("/party/me")).send().await.unwrap().text().await.unwrap();
    assert!(own.contains("data-testid=\"meeting-link\"") && own.contains(link), "the link to join");
}

async fn meetings_and_check_in(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let commander = t.login("commander").await;
    let secretary = t.login("secretary").await;
    let home = org_named(&commander, &t, "城关派出所党支部").await["id"].as_i64().unwrap();
    let members = full_members(&commander, &t, home).await;
    let url = t.url(&format!("/api/party/orgs/{home}/meetings"));
    let (s, v) = send(secretary.post(&url).json(&json!({"kind": "茶话会", "on_date": day(-800), "topic": ""}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v).0, vec!["会议类型", "会议主题", "会议日期"]);
    let (s, v) = send(
        secretary
            .post(&url)
            .json(&json!({"kind": "general", "on_date": day(0), "topic": "支部党员大会：卡点值守分工"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let today_meeting = v["id"].as_i64().unwrap();
    let (s, v) = send(
        secretary
            .post(&url)
            .json(&json!({"kind": "党课", "on_date": day(-1), "topic": "党课：疫情防控中的党员先锋作用"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let yesterday = v["id"].as_i64().unwrap();
    // A member checks in on the day, once; the meeting of another day and another branch refuse.
    let member = t.account("member1", "officer", "S01", Some(members[0])).await;
    let check = |c: &reqwest::Client, m: i64| c.post(t.url(&format!("/api/party/meetings/{m}/check-in")));
    let (s, v) = send(check(&member, today_meeting)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["present"], 1);
    let (s, v) = send(check(&member, today_meeting)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(fields(&v).1.contains("已签到"), "{v}");
    let (s, v) = send(check(&member, yesterday)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(fields(&v).1.contains("只能在会议当天签到"), "{v}");
    let crime = org_named(&commander, &t, "刑事侦查大队党支部").await["id"].as_i64().unwrap();
    let outsider = t.account("outsider", "officer", "D06", Some(full_members(&commander, &t, crime).await[0])).await;
    let (s, v) = send(check(&outsider, today_meeting)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&v).1.contains("不是“城关派出所党支部”的党员"), "{v}");
    // The branch: attendance, the quorum of a general meeting, this quarter's meeting held.
    let (_, d) = send(secretary.get(t.url(&format!("/api/party/orgs/{home}")))).await;
    let m = d["meetings"].as_array().unwrap().iter().find(|m| m["meeting"]["id"] == today_meeting).unwrap().clone();
    assert_eq!(m["meeting"]["present_full"], 1);
    assert!(m["quorum"].as_str().unwrap().contains("不足半数"), "{m}");
    let general = d["life"].as_array().unwrap().iter().find(|l| l["kind"] == "general").unwrap().clone();
    assert_eq!(general["held_this_period"], true, "{general}");
    let (_, ov) = send(secretary.get(t.url("/api/party/overview"))).await;
    let row = ov["orgs"].as_array().unwrap().iter().find(|r| r["org"]["id"] == home).unwrap().clone();
    assert_eq!(row["general_this_quarter"], true);
    // The phone page: today's meetings with a check-in button; a second member checks in there.
    let second = t.account("member2", "officer", "S01", Some(members[1])).await;
    let html = second.get(t.url("/party/me")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("今日会议") && html.contains("支部党员大会：卡点值守分工"), "me page");
    let r = second.post(t.url(&format!("/party/meetings/{today_meeting}/check-in"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = second.post(t.url(&format!("/party/meetings/{today_meeting}/check-in"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("您已签到"));
    let (_, d) = send(secretary.get(t.url(&format!("/api/party/orgs/{home}")))).await;
    let m = d["meetings"].as_array().unwrap().iter().find(|m| m["meeting"]["id"] == today_meeting).unwrap().clone();
    assert_eq!(m["meeting"]["present"], 2);
}

/// An officer applies from their own page: the application lands in the branch secretary's
/// pipeline as 入党申请人 with the one-month talk deadline; the applicant sees their stage and next
/// step; a second application, a member's and an account without a person are refused naming the
/// field and the rule; another officer cannot read the record.
/// The compliance view: each branch's organisational life held or due this period; a general
/// meeting held today takes the branch off the quarter's list, one scheduled later does not.
async fn compliance_view(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let commander = t.login("commander").await;
    let secretary = t.login("secretary").await;
    let general = |c: &Value, id: i64| {
        let row = c["rows"].as_array().unwrap().iter().find(|r| r["org_id"] == id).cloned().unwrap();
        row["life"].as_array().unwrap().iter().find(|l| l["kind"] == "general").unwrap()["held_this_period"].clone()
    };
    let (s, all) = send(commander.get(t.url("/api/party/compliance"))).await;
    assert_eq!(s, StatusCode::OK, "{all}");
    assert_eq!(all["rows"].as_array().unwrap().len(), 18, "the demo's branches");
    let (_, mine) = send(secretary.get(t.url("/api/party/compliance"))).await;
    let names: Vec<&str> = mine["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["城关派出所党支部"]);
    let home = mine["rows"][0]["org_id"].as_i64().unwrap();
    let missing = |c: &Value| {
        c["kinds"].as_array().unwrap().iter().find(|k| k["kind"] == "general").unwrap()["missing"].as_i64().unwrap()
    };
    let hold = |on: String| {
        secretary
            .post(t.url(&format!("/api/party/orgs/{home}/meetings")))
            .json(&json!({"kind": "general", "on_date": on, "topic": "本季度支部党员大会"}))
    };
    assert_eq!(general(&all, home), false, "the demo leaves 城关's general meeting of the quarter due");
    let (s, v) = send(hold(day(5))).await;
    assert!(s.is_success(), "{v}");
    let (_, later) = send(commander.get(t.url("/api/party/compliance"))).await;
    assert_eq!(general(&later, home), false, "a meeting scheduled later is not held yet");
    let (s, v) = send(hold(day(0))).await;
    assert!(s.is_success(), "{v}");
    let (_, now) = send(commander.get(t.url("/api/party/compliance"))).await;
    assert_eq!(general(&now, home), true);
    assert_eq!(missing(&now), missing(&all) - 1);
    let page = commander.get(t.url("/party/compliance")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("城关派出所党支部") && page.contains("支部党员大会一般每季度至少召开一次"), "{page}");
}

both_backends!(meetings_and_check_in, compliance_view, meetings_online_minutes_and_absences);
