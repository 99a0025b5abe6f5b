//! Supplies under concurrent use, on both backends: issues racing for one post's stock never take
//! it below zero, and two phones issuing kit to one person for one shift at the same moment store
//! one issue (the second is refused as a repeat without a reason).

use bastion_testkit::{both_backends, spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::supplies::{issue_count, item_coded, ledger_agrees, post_people, qty, store_named, SIGNED};

/// Twenty issues of 10 N95 each race for the post's stock (on PostgreSQL from two nodes): those
/// that fit succeed, the others are refused with the shortage, and the stock never goes below zero.
async fn concurrent_issues_never_go_negative(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let second = if backend == Backend::Postgres { Some(t.spawn_node().await) } else { None };
    let c1 = t.login("checkpoint").await;
    let c2 = match &second {
        Some(n) => n.login("checkpoint").await,
        None => t.login("checkpoint").await,
    };
    let base2 = second.as_ref().map(|n| n.base.clone()).unwrap_or_else(|| t.base.clone());
    let post = store_named(&t, &c1, "G319").await;
    let n95 = item_coded(&t, &c1, "N95").await;
    let start = qty(&t, &c1, post, "N95").await;
    let people = post_people(&t, &c1, post).await;
    assert!(people.len() >= 20 && (20..200).contains(&start), "{} people, {start} N95", people.len());
    let mut tasks = Vec::new();
    for (n, p) in people.iter().take(20).enumerate() {
        let (c, base) = if n % 2 == 0 { (c1.clone(), t.base.clone()) } else { (c2.clone(), base2.clone()) };
        let body = json!({"store_id": post, "shift_date": "2026-02-01", "shift": "夜班",
            "items": [{"item_id": n95, "quantity": 10}], "people": [{"person_id": p, "signature": SIGNED}]});
        tasks.push(tokio::spawn(async move {
            let r = c.post(format!("{base}/api/supplies/issues")).json(&body).send().await.unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }));
    }
    let mut ok = 0;
    for task in tasks {
        let (s, v) = task.await.unwrap();
        match s {
            StatusCode::CREATED => ok += 1,
            StatusCode::UNPROCESSABLE_ENTITY => assert!(v["message"].as_str().unwrap().contains("库存不足"), "{v}"),
            other => panic!("an issue answered {other}: {v}"),
        }
    }
    assert_eq!(ok, start / 10, "as many issues as the stock covers succeed");
    assert_eq!(qty(&t, &c1, post, "N95").await, start - 10 * ok);
    ledger_agrees(&t).await;
}

/// Two phones issue the standard kit to the same person for the same shift at once (on
/// PostgreSQL from two nodes): one issue is stored, the other is refused as a second issue that
/// needs a reason.
async fn one_person_is_not_issued_twice_at_once(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let second = if backend == Backend::Postgres { Some(t.spawn_node().await) } else { None };
    let c1 = t.login("checkpoint").await;
    let c2 = match &second {
        Some(n) => n.login("checkpoint").await,
        None => t.login("checkpoint").await,
    };
    let base2 = second.as_ref().map(|n| n.base.clone()).unwrap_or_else(|| t.base.clone());
    let post = store_named(&t, &c1, "G319").await;
    let who = post_people(&t, &c1, post).await[0];
    let before = issue_count(&t).await;
    let body = json!({"store_id": post, "shift_date": "2026-02-03", "shift": "白班", "people": [{"person_id": who, "signature": SIGNED}]});
    let mut tasks = Vec::new();
    for n in 0..6 {
        let (c, base) = if n % 2 == 0 { (c1.clone(), t.base.clone()) } else { (c2.clone(), base2.clone()) };
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let r = c.post(format!("{base}/api/supplies/issues")).json(&body).send().await.unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }));
    }
    let mut ok = 0;
    for task in tasks {
        let (s, v) = task.await.unwrap();
        match s {
            StatusCode::CREATED => ok += 1,
            StatusCode::UNPROCESSABLE_ENTITY => assert!(v.to_string().contains("重复签领原因"), "{v}"),
            other => panic!("an issue answered {other}: {v}"),
        }
    }
    assert_eq!(ok, 1, "one issue stored");
    assert_eq!(issue_count(&t).await, before + 1);
    ledger_agrees(&t).await;
}

both_backends!(concurrent_issues_never_go_negative, one_person_is_not_issued_twice_at_once);
