//! Rosters (排班表) over real HTTP on both backends: generation from live data with the rules,
//! edits with overrides, publishing with notifications, repair with the fewest changes, exports
//! (the workbook and the printable PDF), volunteers (请战) rostered first, bad input and scope.

use bastion_core::org::{Category, DutyStatus, PoliticalStatus, Sex};
use bastion_store::org::{NewPerson, UnitId};
use bastion_testkit::{both_backends, eventually, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::super::receivers::sms_gateway;
use super::{day_after, fields, send};
use crate::recall::unit_id;

/// A fresh station under the bureau with `people` (police number, name, auxiliary, party member,
/// duty status) and one post of two shifts; returns (unit, post, person ids by police number).
async fn roster_station(
    t: &TestApp,
    c: &reqwest::Client,
    code: &str,
    people: &[(&str, &str, bool, bool, DutyStatus)],
) -> (i64, i64, std::collections::HashMap<String, i64>) {
    let unit = new_unit(t, "BUREAU", code, &format!("排班测试所{code}")).await;
    let mut ids = std::collections::HashMap::new();
    for (no, name, aux, party, status) in people {
        let mut tx = t.app.store.begin().await.unwrap();
        let p = NewPerson {
            police_no: (*no).into(),
            name: (*name).into(),
            category: if *aux { Category::Auxiliary } else { Category::Police },
            sex: Sex::Male,
            birth_date: None,
            hire_date: None,
            id_number: None,
            mobile: Some(bastion_core::Phone::parse(&format!("139{:0>8}", &no[no.len() - 4..])).unwrap()),
            unit_id: UnitId(unit),
            position: None,
            political_status: if *party { PoliticalStatus::Member } else { PoliticalStatus::Masses },
            duty_status: *status,
            police_types: vec![],
            skills: vec![],
        };
        let id = t.app.store.insert_person(&mut tx, &p).await.unwrap();
        bastion_store::commit(tx).await.unwrap();
        ids.insert((*no).to_string(), id.0);
    }
    let (s, post) = send(c.post(t.url("/api/duty/posts")).json(&json!({
        "name": format!("{code}卡点岗"), "kind": "checkpoint", "unit_id": unit,
        "shifts": "白班 08:00-20:00 2\n夜班 20:00-08:00 1", "min_sworn": 1, "min_party": 1
    })))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{post}");
    (unit, post["id"].as_i64().unwrap(), ids)
}

/// A unit under `parent`, written straight to the store.
async fn new_unit(t: &TestApp, parent: &str, code: &str, name: &str) -> i64 {
    let parent = UnitId(unit_id(t, parent).await);
    let mut tx = t.app.store.begin().await.unwrap();
    let u = bastion_store::org::NewUnit {
        parent_id: Some(parent),
        code: code.into(),
        name: name.into(),
        kind: bastion_core::org::UnitKind::Station,
        sort_order: 99,
        phone: None,
    };
    let unit = t.app.store.insert_unit(&mut tx, &u).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    unit.id.0
}

/// The cells of a roster view as (person, day index, shift value).
fn roster_cells(view: &Value) -> Vec<(i64, usize, String)> {
    let keys = view["keys"].as_array().unwrap();
    let mut out = Vec::new();
    for r in view["rows"].as_array().unwrap() {
        for (d, c) in r["cells"].as_array().unwrap().iter().enumerate() {
            if let Some(k) = c.as_u64() {
                out.push((
                    r["person_id"].as_i64().unwrap(),
                    d,
                    keys[k as usize]["value"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    out
}

const STAFF: [(&str, &str, bool, bool, DutyStatus); 9] = [
    ("R0001", "甲一", false, true, DutyStatus::OnDuty),
    ("R0002", "甲二", false, false, DutyStatus::OnDuty),
    ("R0003", "甲三", true, true, DutyStatus::OnDuty),
    ("R0004", "甲四", true, false, DutyStatus::OnDuty),
    ("R0005", "甲五", false, true, DutyStatus::OnDuty),
    ("R0006", "甲六", true, false, DutyStatus::OnDuty),
    ("R0007", "甲七", false, false, DutyStatus::OnDuty),
    ("R0008", "甲八", false, true, DutyStatus::OnDuty),
    ("R0009", "甲九", false, true, DutyStatus::Sick),
];

async fn roster_generate_edit_publish_repair(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let (unit, post, ids) = roster_station(&t, &c, "RS1", &STAFF).await;
    let first = day_after(&bastion_core::time::today().to_string(), 1);
    let (s, made) = send(
        c.post(t.url("/api/duty/rosters")).json(&json!({"unit_id": unit, "first_day": first, "days": 7, "seconds": 2})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let id = made["id"].as_i64().unwrap();
    let (s, view) = send(c.get(t.url(&format!("/api/duty/rosters/{id}?unit_id={unit}")))).await;
    assert_eq!(s, StatusCode::OK, "{view}");
    assert_eq!(view["roster"]["status"], "draft");
    assert_eq!(view["roster"]["short_shifts"], 0, "{}", view["roster"]);
    assert_eq!(view["roster"]["short_conditions"], 0, "{}", view["roster"]);
    assert_eq!(view["roster"]["hard_violations"], 0, "{}", view["roster"]);
    // The sick officer is not rostered and is listed as excused.
    let sick = ids["R0009"];
    let cells = roster_cells(&view);
    assert!(cells.iter().all(|(p, _, _)| *p != sick));
    assert!(view["excused"].to_string().contains("甲九"), "{}", view["excused"]);
    // The notice-board workbook shows the same marks as the grid, a sheet per unit and a legend.
    let r = c.get(t.url(&format!("/api/duty/rosters/{id}/export"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    {
        use calamine::Reader;
        let bytes = r.bytes().await.unwrap().to_vec();
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let names = wb.sheet_names().to_vec();
        assert_eq!(names.len(), view["units"].as_array().unwrap().len() + 1, "{names:?}");
        assert_eq!(names.last().map(String::as_str), Some("图例"));
        let sheet = wb.worksheet_range(&names[0]).unwrap();
        let keys = view["keys"].as_array().unwrap();
        for row in view["rows"].as_array().unwrap() {
            let line = sheet
                .rows()
                .find(|l| l.first().map(|c| c.to_string()) == Some(row["name"].as_str().unwrap().to_string()))
                .unwrap_or_else(|| panic!("{} in the sheet", row["name"]));
            for (d, c) in row["cells"].as_array().unwrap().iter().enumerate() {
                let want =
                    c.as_u64().map(|k| keys[k as usize]["mark"].as_str().unwrap().to_string()).unwrap_or_default();
                assert_eq!(line[2 + d].to_string(), want, "{} day {d}", row["name"]);
            }
        }
    }
    // The printable version carries the same grid: each person's marks in order, then totals.
    let r = c.get(t.url(&format!("/duty/rosters/{id}/export?format=pdf"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf: String = crate::pdf::text(&r.bytes().await.unwrap()).split_whitespace().collect();
    assert!(pdf.contains("排班表（草稿，未发布）") && pdf.contains("图例"), "{pdf:.300}");
    {
        let keys = view["keys"].as_array().unwrap();
        for row in view["rows"].as_array().unwrap() {
            let mut line = row["name"].as_str().unwrap().to_string();
            for c in row["cells"].as_array().unwrap() {
                if let Some(k) = c.as_u64() {
                    line.push_str(keys[k as usize]["mark"].as_str().unwrap());
                }
            }
            let b = &row["burden"];
            for f in ["shifts", "nights", "weekend_shifts", "hours"] {
                line.push_str(&b[f].to_string());
            }
            assert!(pdf.contains(&line), "{line} in {pdf:.1500}");
        }
    }
    let (s, e) = send(c.get(t.url(&format!("/api/duty/rosters/{id}/export?format=doc")))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(fields(&e).0, ["格式"]);
    // Every day: two on the day shift, one at night, each shift with a sworn officer and a party member.
    let sworn = |p: i64| !["R0003", "R0004", "R0006"].iter().any(|n| ids[*n] == p);
    let party = |p: i64| ["R0001", "R0003", "R0005", "R0008"].iter().any(|n| ids[*n] == p);
    let (day, night) = (format!("{post}:白班"), format!("{post}:夜班"));
    for d in 0..7 {
        for (shift, need) in [(&day, 2), (&night, 1)] {
            let on: Vec<i64> = cells.iter().filter(|c| c.1 == d && &c.2 == shift).map(|c| c.0).collect();
            assert_eq!(on.len(), need, "day {d} {shift}: {on:?}");
            assert!(on.iter().any(|p| sworn(*p)), "a sworn officer on day {d} {shift}: {on:?}");
            assert!(on.iter().any(|p| party(*p)), "a party member on day {d} {shift}: {on:?}");
        }
    }
    // 11 hours' rest: nobody works the day shift the morning after a night.
    for (p, d, v) in &cells {
        if v == &night {
            assert!(!cells.iter().any(|c| c.0 == *p && c.1 == d + 1 && c.2 == day), "{p} day {d}");
        }
    }
    // Explain a night cell, then try to put that person on the next morning's day shift.
    let (p, d, _) = cells.iter().find(|c| c.2 == night && c.1 < 6).unwrap().clone();
    let next = day_after(&first, d + 1);
    let (s, x) =
        send(c.get(t.url(&format!("/api/duty/rosters/{id}/explain?person_id={p}&day={}", day_after(&first, d))))).await;
    assert_eq!(s, StatusCode::OK, "{x}");
    assert!(x["reasons"].to_string().contains("夜班"), "{x}");
    let edit = json!({"person_id": p, "day": next, "value": day});
    let (s, e) = send(c.post(t.url(&format!("/api/duty/rosters/{id}/cells"))).json(&edit)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (f, m) = fields(&e);
    assert_eq!(f, ["例外理由"]);
    assert!(m.contains("两班之间至少休息 11 小时"), "{m}");
    let edit = json!({"person_id": p, "day": next, "value": day, "override_reason": "交接需要，本人同意"});
    let (s, x) = send(c.post(t.url(&format!("/api/duty/rosters/{id}/cells"))).json(&edit)).await;
    assert_eq!(s, StatusCode::OK, "{x}");
    let (_, view) = send(c.get(t.url(&format!("/api/duty/rosters/{id}?unit_id={unit}")))).await;
    assert_eq!(view["roster"]["hard_violations"], 1, "the override is counted: {}", view["roster"]);
    assert!(roster_cells(&view).contains(&(p, d + 1, day.clone())));
    // Publishing writes the shifts and tells each rostered person by SMS (a real local gateway).
    let (base, got) = sms_gateway().await;
    let (s, ch) = send(c.post(t.url("/api/notify/channels")).json(
        &json!({"kind": "sms", "name": "短信网关", "url": format!("{base}/sms"), "min_interval_ms": 0, "link_base": t.url("")}),
    ))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{ch}");
    let (s, out) = send(c.post(t.url(&format!("/api/duty/rosters/{id}/publish")))).await;
    assert_eq!(s, StatusCode::OK, "{out}");
    let rostered: std::collections::BTreeSet<i64> = roster_cells(&view).iter().map(|c| c.0).collect();
    assert_eq!(out["assignments"], 7 * 3 + 1, "{out}");
    assert_eq!(out["notified"].as_u64().unwrap() as usize, rostered.len(), "{out}");
    let (_, board) = send(c.get(t.url(&format!("/api/duty/posts/{post}/board?day={first}")))).await;
    assert_eq!(board["shifts"][0]["rostered"], 2, "{board}");
    let (s, again) = send(c.post(t.url(&format!("/api/duty/rosters/{id}/publish")))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{again}");
    eventually("the SMS of every rostered person", std::time::Duration::from_secs(20), || async {
        t.app.send_due(bastion_core::time::now_ms()).await.unwrap();
        (got.lock().unwrap().len() >= rostered.len()).then_some(())
    })
    .await;
    let texts = got.lock().unwrap().clone();
    assert!(texts.iter().all(|(_, m)| m.starts_with("【排班】") && m.contains("个班次")), "{texts:?}");
    // Someone with shifts in the first days falls sick: a new draft covers their shifts.
    let victim = cells.iter().find(|c| c.1 <= 1).unwrap().0;
    let no = ids.iter().find(|(_, v)| **v == victim).unwrap().0.clone();
    let (s, fix) = send(
        c.post(t.url(&format!("/api/duty/rosters/{id}/repair")))
            .json(&json!({"police_no": no, "from": first, "to": day_after(&first, 1), "reason": "病假"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{fix}");
    let changes = fix["changes"].as_array().unwrap();
    let forced = changes.iter().filter(|c| c["forced"] == true).count();
    assert!(forced >= 1 && changes.len() > forced, "their shifts removed and others put in: {fix}");
    assert!(changes.len() <= forced * 6, "few cells change: {fix}");
    let new_id = fix["roster_id"].as_i64().unwrap();
    let (_, fixed) = send(c.get(t.url(&format!("/api/duty/rosters/{new_id}?unit_id={unit}")))).await;
    assert_eq!(fixed["roster"]["parent_id"], id);
    assert_eq!(fixed["roster"]["short_shifts"], 0, "{}", fixed["roster"]);
    assert!(fixed["roster"]["reason"].as_str().unwrap().contains("病假"));
    let after = roster_cells(&fixed);
    assert!(!after.iter().any(|c| c.0 == victim && c.1 <= 1), "the sick officer is off on those days");
    assert_eq!(
        fixed["rows"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["changed"].as_array().unwrap().clone())
            .filter(|x| *x == true)
            .count(),
        changes.len(),
        "the grid marks every cell that changed, the sick officer's too"
    );
    let (s, _) = send(c.post(t.url(&format!("/api/duty/rosters/{new_id}/publish")))).await;
    assert_eq!(s, StatusCode::OK);
    let (_, old) = send(c.get(t.url(&format!("/api/duty/rosters/{id}")))).await;
    assert_eq!(old["roster"]["status"], "superseded");
    let (_, mine) = send(c.get(t.url(&format!("/api/duty/posts/{post}/board?day={first}")))).await;
    let names = mine.to_string();
    let victim_name = STAFF.iter().find(|s| s.0 == no).unwrap().1;
    assert!(!names.contains(victim_name), "{victim_name} is off the board: {names}");
    // Every step is in the audit log.
    let (_, audit) = send(t.login("auditadmin").await.get(t.url("/api/audit?module=duty&size=50"))).await;
    let audit = audit.to_string();
    for action in ["生成排班", "修改排班", "发布排班", "调整排班", "交接需要，本人同意"] {
        assert!(audit.contains(action), "{action} audited");
    }
}

async fn roster_bad_input_and_scope(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let (unit, _, _) = roster_station(&t, &c, "RS2", &STAFF[..4]).await;
    let today = bastion_core::time::today().to_string();
    let cases = [
        (json!({"unit_id": unit, "first_day": today, "days": 7}), "开始日期", "今天之后"),
        (json!({"unit_id": unit, "first_day": day_after(&today, 1), "days": 0}), "天数", "1 到 31"),
        (json!({"unit_id": unit, "first_day": day_after(&today, 1), "days": 3, "seconds": 99}), "计算时间", "1 到 10"),
        (json!({"unit_id": unit, "first_day": "2026-13-01", "days": 3}), "开始日期", ""),
    ];
    for (body, field, words) in cases {
        let (s, e) = send(c.post(t.url("/api/duty/rosters")).json(&body)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
        let (f, m) = fields(&e);
        assert!(f.contains(&field.to_string()) && m.contains(words), "{body}: {f:?} {m}");
    }
    // Four people cannot keep a night post staffed with a party member and rest: a clear refusal
    // or a draft that says how many shifts are short, never a silent gap.
    let (s, made) = send(
        c.post(t.url("/api/duty/rosters"))
            .json(&json!({"unit_id": unit, "first_day": day_after(&today, 1), "days": 7, "seconds": 1})),
    )
    .await;
    if s == StatusCode::CREATED {
        let (_, v) = send(c.get(t.url(&format!("/api/duty/rosters/{}", made["id"])))).await;
        let short = v["roster"]["short_shifts"].as_i64().unwrap() + v["roster"]["short_conditions"].as_i64().unwrap();
        let gaps = v["gaps"].as_array().unwrap().len() as i64;
        assert!(short > 0 && gaps > 0 || short == 0 && gaps == 0, "{}", v["roster"]);
    } else {
        assert_eq!(s, StatusCode::CONFLICT, "{made}");
    }
    // A leader-on-duty post whose unit has no party committee member: named, not a silent gap.
    let (s, _) = send(c.post(t.url("/api/duty/posts")).json(&json!({
        "name": "RS2领导带班", "kind": "lead", "unit_id": unit, "shifts": "带班 08:00-08:00 1"
    })))
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, e) = send(
        c.post(t.url("/api/duty/rosters"))
            .json(&json!({"unit_id": unit, "first_day": day_after(&today, 1), "days": 3})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(fields(&e).1.contains("党委委员"), "{e}");
    // A unit without posts.
    let empty = new_unit(&t, "HQ", "RS2E", "无岗位组").await;
    let (s, e) = send(
        c.post(t.url("/api/duty/rosters"))
            .json(&json!({"unit_id": empty, "first_day": day_after(&today, 1), "days": 3})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(fields(&e).1.contains("没有岗位"), "{e}");
    // A station leader elsewhere sees no roster of this unit; an officer cannot generate one.
    let (s, list) = send(t.login("secretary").await.get(t.url("/api/duty/rosters"))).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!list.to_string().contains("排班测试所RS2"), "{list}");
    let (s, _) = send(
        t.login("officer")
            .await
            .post(t.url("/api/duty/rosters"))
            .json(&json!({"unit_id": unit, "first_day": day_after(&today, 1), "days": 3})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// A petition (请战书) volunteers its writer for extra shifts at the posts of its missions: the
/// engine rosters them more than their colleagues, the page counts and marks them, and the cell
/// says why.
async fn volunteers_are_rostered_first(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    // Eight alike (sworn officers and party members, so any of them may take any shift); one volunteers.
    let names = ["乙一", "乙二", "乙三", "乙四", "乙五", "乙六", "乙七", "乙八"];
    let numbers: Vec<String> = (1..=8).map(|i| format!("V000{i}")).collect();
    let staff: Vec<_> =
        numbers.iter().zip(names).map(|(no, name)| (no.as_str(), name, false, true, DutyStatus::OnDuty)).collect();
    let (unit, _, ids) = roster_station(&t, &c, "RS3", &staff).await;
    let volunteer = ids["V0002"];
    let mut tx = t.app.store.begin().await.unwrap();
    let petition = bastion_store::party::NewPetition {
        person_id: bastion_store::org::PersonId(volunteer),
        account: "officer".into(),
        body: "我志愿到卡点一线加班值守".into(),
        missions: vec![bastion_core::party::Mission::Screening],
        signature: None,
        publish_consent: false,
    };
    t.app.store.insert_petition(&mut tx, &petition).await.unwrap();
    bastion_store::commit(tx).await.unwrap();
    let first = day_after(&bastion_core::time::today().to_string(), 1);
    let (s, made) = send(
        c.post(t.url("/api/duty/rosters"))
            .json(&json!({"unit_id": unit, "first_day": first, "days": 14, "seconds": 2})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let id = made["id"].as_i64().unwrap();
    let (_, view) = send(c.get(t.url(&format!("/api/duty/rosters/{id}?unit_id={unit}")))).await;
    assert_eq!(view["roster"]["short_shifts"], 0, "{}", view["roster"]);
    let shifts = |p: i64| roster_cells(&view).iter().filter(|c| c.0 == p).count();
    let theirs = shifts(volunteer);
    let most_of_the_others = ids.values().filter(|&&p| p != volunteer).map(|&p| shifts(p)).max().unwrap();
    assert!(theirs > most_of_the_others, "the volunteer {theirs} shifts, the others at most {most_of_the_others}");
    assert_eq!((view["volunteers"].as_u64(), view["volunteered_shifts"].as_u64()), (Some(1), Some(theirs as u64)));
    let row = view["rows"].as_array().unwrap().iter().find(|r| r["person_id"] == volunteer).unwrap();
    assert_eq!(row["volunteer"], true);
    let page = c.get(t.url(&format!("/duty/rosters/{id}?unit_id={unit}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("请战加班班次"), "the page counts the volunteered shifts");
    let worked = roster_cells(&view).into_iter().find(|c| c.0 == volunteer).unwrap();
    let (_, why) = send(c.get(
        t.url(&format!("/api/duty/rosters/{id}/explain?person_id={volunteer}&day={}", day_after(&first, worked.1))),
    ))
    .await;
    assert!(why["reasons"].to_string().contains("本人请战，自愿加班"), "{why}");
}

/// A volunteer may serve at a post of their missions outside their own unit: a post of a unit with
/// nobody of its own cannot be rostered until two officers of the parent unit volunteer for it.
async fn volunteers_serve_outside_their_unit(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let c = t.login("commander").await;
    let staff: Vec<(String, &str)> = ["丙一", "丙二", "丙三", "丙四", "丙五", "丙六", "丙七", "丙八"]
        .iter()
        .enumerate()
        .map(|(i, n)| (format!("W000{}", i + 1), *n))
        .collect();
    let staff: Vec<_> = staff.iter().map(|(no, n)| (no.as_str(), *n, false, true, DutyStatus::OnDuty)).collect();
    let (unit, _, ids) = roster_station(&t, &c, "RS5", &staff).await;
    let outpost = new_unit(&t, "RS5", "RS5A", "排班测试所RS5A卡点组").await;
    let (s, post) = send(c.post(t.url("/api/duty/posts")).json(&json!({
        "name": "RS5A前置卡点岗", "kind": "checkpoint", "unit_id": outpost, "shifts": "白班 08:00-20:00 1"
    })))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{post}");
    let outpost_post = post["id"].as_i64().unwrap();
    let first = day_after(&bastion_core::time::today().to_string(), 1);
    let generate = || {
        send(
            c.post(t.url("/api/duty/rosters"))
                .json(&json!({"unit_id": unit, "first_day": first, "days": 5, "seconds": 2})),
        )
    };
    let (s, e) = generate().await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "nobody may work the outpost yet: {e}");
    assert!(e.to_string().contains("RS5A前置卡点岗"), "{e}");
    let volunteers = [ids["W0002"], ids["W0003"]];
    for v in volunteers {
        let mut tx = t.app.store.begin().await.unwrap();
        let petition = bastion_store::party::NewPetition {
            person_id: bastion_store::org::PersonId(v),
            account: "officer".into(),
            body: "请战到前置卡点值守".into(),
            missions: vec![bastion_core::party::Mission::Traffic],
            signature: None,
            publish_consent: false,
        };
        t.app.store.insert_petition(&mut tx, &petition).await.unwrap();
        bastion_store::commit(tx).await.unwrap();
    }
    let (s, made) = generate().await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let id = made["id"].as_i64().unwrap();
    let (_, view) = send(c.get(t.url(&format!("/api/duty/rosters/{id}?unit_id={unit}")))).await;
    assert_eq!(view["roster"]["short_shifts"], 0, "{}", view["roster"]);
    let at_outpost: Vec<i64> =
        roster_cells(&view).into_iter().filter(|c| c.2.starts_with(&format!("{outpost_post}:"))).map(|c| c.0).collect();
    assert_eq!(at_outpost.len(), 5, "one a day: {at_outpost:?}");
    assert!(at_outpost.iter().all(|p| volunteers.contains(p)), "only the volunteers serve there: {at_outpost:?}");
}

both_backends!(
    roster_generate_edit_publish_repair,
    roster_bad_input_and_scope,
    volunteers_are_rostered_first,
    volunteers_serve_outside_their_unit
);
