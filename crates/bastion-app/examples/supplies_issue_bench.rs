//! Issues to people (签领) through the use case, no HTTP: the demo bureau on a fresh database, the
//! G319 post topped up, then `--tasks` concurrent officers each issuing the standard kit (four
//! items) to one person with a drawn signature, `--issues` in all. Every issue locks the post's
//! balances of its items (`FOR UPDATE` on PostgreSQL), posts its movements and an audit record in
//! one transaction — the contended path. Prints issues per second and latency percentiles.
//!
//! Usage: `supplies_issue_bench --data EMPTY_DIR [--database URL_OF_AN_EMPTY_DATABASE] [--issues N] [--tasks T]`

mod common;
use common::{arg, num};

use std::time::{Duration, Instant};

use bastion_app::supplies::{IssueInput, IssuePersonInput, ReceiptInput};

const SIGNED: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAS0lEQVR4nKWTiQkAMAgDs//SdoD6nEYQQomHFpWk0D3iE5fiC6T0Esjo6Qy4y8y4/qco9BqCZnayBWcat07ecDGGWItkrbJ1TNY5PxIBLdPOsbqpAAAAAElFTkSuQmCC";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let data = std::path::PathBuf::from(arg("--data").unwrap_or_else(|| "/tmp/bastion-supplies-bench".into()));
    let database = arg("--database");
    let issues: usize = num("--issues", 2000);
    let tasks: usize = num("--tasks", 8);
    let (store, app) = common::demo_bureau(&data, database.as_deref()).await?;
    let backend = store.backend.name();
    let (supplies, leader) = (common::ctx_of(&store, "supplies").await?, common::ctx_of(&store, "checkpoint").await?);
    let post = app
        .supply_stores(&leader)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
        .into_iter()
        .find(|s| s.name.contains("G319"))
        .ok_or_else(|| anyhow::anyhow!("no G319 post"))?;
    let items = app.supply_items(&supplies).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    for i in items.iter().filter(|i| i.kit_per_shift > 0) {
        let r = ReceiptInput {
            store_id: post.id.0.to_string(),
            item_id: i.id.0.to_string(),
            quantity: (i.kit_per_shift * issues as i64 + 100).min(1_000_000).to_string(),
            batch: "BENCH".into(),
            expires_on: "2099-12-31".into(),
            source: "purchase".into(),
            ..Default::default()
        };
        app.receive_supplies(&supplies, &r).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    let people = app.supply_post(&leader, post.id).await.map_err(|e| anyhow::anyhow!("{e:?}"))?.people;
    let t0 = Instant::now();
    let mut handles = Vec::new();
    for task in 0..tasks {
        let (app, leader, people, store) = (app.clone(), leader.clone(), people.clone(), post.id.0);
        handles.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut n = task;
            while n < issues {
                let input = IssueInput {
                    store_id: store.to_string(),
                    shift_date: "2026-02-01".into(),
                    shift: format!("班{}", n / people.len().max(1)),
                    people: vec![IssuePersonInput {
                        person_id: people[n % people.len()].id.0.to_string(),
                        signature: SIGNED.into(),
                        leader_reason: String::new(),
                    }],
                    ..Default::default()
                };
                let t = Instant::now();
                if let Err(e) = app.issue_supplies(&leader, &input).await {
                    eprintln!("issue {n}: {e:?}");
                }
                lat.push(t.elapsed());
                n += tasks;
            }
            lat
        }));
    }
    let mut lat: Vec<Duration> = Vec::new();
    for h in handles {
        lat.extend(h.await?);
    }
    let secs = t0.elapsed().as_secs_f64();
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1))).copied().unwrap_or_default()
    };
    println!(
        "backend={backend} issues={issues} tasks={tasks} seconds={secs:.2} issues_per_s={:.0} p50_ms={:.1} p99_ms={:.1}",
        issues as f64 / secs,
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0
    );
    Ok(())
}
