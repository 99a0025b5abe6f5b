//! A day nobody assembled a report for is assembled later from the features' daily counters, on
//! both backends: the counts equal what was put in for that day, the live states are said to be
//! missing (never shown as 0), and the day is assembled once.

use bastion_testkit::{both_backends, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Row;

async fn scalar(t: &TestApp, sql: &str, day: &str) -> i64 {
    sqlx::query(sql).bind(day).fetch_one(t.app.store.reader()).await.unwrap().get::<i64, _>(0)
}

fn figure(report: &Value, feature: &str, label: &str) -> Option<String> {
    let s = report["sections"].as_array().unwrap().iter().find(|s| s["feature"] == feature)?;
    let f = s["section"]["figures"].as_array()?.iter().find(|f| f["label"] == label)?;
    Some(f["value"].as_str().unwrap().replace(',', ""))
}

async fn a_missed_day_is_assembled_from_its_counters(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let boss = t.login("commander").await;
    let desk = t.login("duty").await;
    let yesterday = bastion_core::time::today().yesterday().unwrap().to_string();
    // A team's results entered for yesterday (a phone that was offline sends them the next day).
    let teams: Value = boss.get(t.url("/api/party/teams")).send().await.unwrap().json().await.unwrap();
    let team = teams[0]["team"]["id"].as_i64().unwrap();
    let r = boss
        .post(t.url(&format!("/api/party/teams/{team}/results")))
        .json(&json!({"day": yesterday, "households": 37, "persuaded": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let households = scalar(
        &t,
        "SELECT CAST(COALESCE(SUM(households), 0) AS BIGINT) FROM party_mission_results WHERE day = $1",
        &yesterday,
    )
    .await;
    assert!(households >= 37);

    let r = desk.post(t.url("/api/reports")).json(&json!({"day": yesterday})).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let rep: Value = boss.get(t.url(&format!("/api/reports/{yesterday}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(rep["status"], "draft");
    assert_eq!(figure(&rep, "party", "摸底排查（户）"), Some(households.to_string()), "{rep}");
    // Yesterday's passes: the screenings stored with a time on that Beijing day.
    let start = jiff::civil::Date::strptime("%Y-%m-%d", &yesterday)
        .unwrap()
        .to_zoned(bastion_core::time::beijing())
        .unwrap()
        .timestamp()
        .as_millisecond();
    let passes: i64 = sqlx::query("SELECT COUNT(*) FROM screenings WHERE at >= $1 AND at < $2")
        .bind(start)
        .bind(start + 86_400_000)
        .fetch_one(t.app.store.reader())
        .await
        .unwrap()
        .get(0);
    assert_eq!(figure(&rep, "checkpoint", "登记（人次）"), Some(passes.to_string()), "{rep}");
    // A state that was only live (people on post) is said to be missing, not shown as 0.
    let recall = rep["sections"].as_array().unwrap().iter().find(|s| s["feature"] == "recall").unwrap();
    assert!(recall["section"]["figures"].is_null(), "{recall}");
    let said = recall["section"]["sentences"][0].as_str().unwrap();
    assert!(said.contains("无法补记"), "{said}");
    let party = rep["sections"].as_array().unwrap().iter().find(|s| s["feature"] == "party").unwrap();
    assert!(party["section"]["sentences"][0].as_str().unwrap().contains("按当日计数补记"), "{party}");

    // Assembled once: the draft stays as it is.
    let r = desk.post(t.url("/api/reports")).json(&json!({"day": yesterday})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("已有战报草稿"));
    // It is signed like any other; a future day is refused naming the field.
    let r = boss.post(t.url(&format!("/api/reports/{yesterday}/sign"))).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let tomorrow = bastion_core::time::today().tomorrow().unwrap().to_string();
    let r = desk.post(t.url("/api/reports")).json(&json!({"day": tomorrow})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("将来"));
}

both_backends!(a_missed_day_is_assembled_from_its_counters);
