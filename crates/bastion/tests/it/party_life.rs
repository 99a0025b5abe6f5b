//! Organisational life over real HTTP on both backends: a meeting held on site, online or both
//! names where (a place, a video-meeting link) and its agenda, bad input naming the field; members
//! check in and the attendance rate follows; a member is excused with a reason, once, never after
//! checking in; minutes are written once the meeting is held, only by the branch's writers; the
//! branch page shows it all and every write is audited.

use bastion_testkit::{both_backends, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Row;

use super::party::{account, fields, org_named, send};

async fn meeting(c: &reqwest::Client, t: &TestApp, org: i64, id: i64) -> Value {
    let (s, d) = send(c.get(t.url(&format!("/api/party/orgs/{org}")))).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["meetings"].as_array().unwrap().iter().find(|m| m["meeting"]["id"] == id).cloned().unwrap()
}

async fn audited(t: &TestApp, action: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(t.app.store.reader())
        .await
        .unwrap()
        .get::<i64, _>("n")
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
    let member = account(&t, "member14", "officer", "S01", first["person_id"].as_i64()).await;
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
    let own = member.get(t.url("/party/me")).send().await.unwrap().text().await.unwrap();
    assert!(own.contains("data-testid=\"meeting-link\"") && own.contains(link), "the link to join");
}

both_backends!(meetings_online_minutes_and_absences);
