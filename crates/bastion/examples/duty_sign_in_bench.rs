//! The duty sign-in benchmark (`bench/duty/run.sh`): N officers sign in to their running shift at
//! the same moment, over HTTP, each with a session of their own.
//!
//! - `setup --data DIR [--database URL] [--people 500] --out FILE`: on the data directory (and
//!   database) a `bastion serve` will use, create the demo bureau if empty, then N officers with
//!   accounts and sessions, ten posts with a shift running now, and one assignment each; writes
//!   `assignment token` per line.
//! - `fire --base URL --input FILE`: every line's sign-in (`POST /api/duty/assignments/{id}/sign-in`
//!   with that session) from N concurrent clients released together — all at once, or with
//!   `--spread-ms T` the i-th of N after i·T/N ms (N officers arriving within T); prints latency
//!   percentiles and the answers. `--bare` fires `GET /people` instead (the bare-stack limit,
//!   against `crates/bastion-web/examples/bare_axum.rs`).
//! - `check --data DIR [--database URL] --input FILE`: counts the assignments of the file signed in
//!   (each exactly once: an assignment has one sign-in time).

// Linked for its global allocator (mimalloc, SQLite's too), so the server here runs as `bastion serve` does.
use bastion as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bastion_app::{App, Policy};
use bastion_core::duty::{PostKind, ShiftDef};
use bastion_core::org::{Category, DutyStatus, PoliticalStatus, Sex};
use bastion_store::auth::NewAccount;
use bastion_store::duty::{AssignmentId, NewAssignment, NewPost};
use bastion_store::org::{NewPerson, UnitId};
use bastion_store::{Crypto, Store};
use sha2::{Digest, Sha256};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

async fn open(args: &[String]) -> anyhow::Result<(Store, App)> {
    let data = std::path::PathBuf::from(arg(args, "--data").ok_or_else(|| anyhow::anyhow!("--data DIR"))?);
    let crypto = Crypto::load(&data.join("keys").join("bastion.keys"))?;
    let store = Store::open(&data, arg(args, "--database").as_deref(), crypto).await?;
    let app = App::new(store.clone(), Policy::default());
    Ok((store, app))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("setup") => setup(&args).await,
        Some("fire") => fire(&args).await,
        Some("check") => check(&args).await,
        _ => anyhow::bail!("usage: duty_sign_in_bench setup|fire|check …"),
    }
}

async fn setup(args: &[String]) -> anyhow::Result<()> {
    let n: usize = arg(args, "--people").map(|s| s.parse()).transpose()?.unwrap_or(500);
    let out = arg(args, "--out").ok_or_else(|| anyhow::anyhow!("--out FILE"))?;
    let (store, app) = open(args).await?;
    let password = std::env::var("BASTION_DEMO_PASSWORD").unwrap_or_else(|_| "Demo#2026pass".into());
    if store.units().await?.is_empty() {
        app.create_demo(&password, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let unit: UnitId = store.units().await?.iter().find(|u| u.code == "S01").map(|u| u.id).unwrap_or(UnitId(1));
    // A shift that began ten minutes ago and runs eight hours, Beijing time.
    let now = bastion_core::time::now_ms();
    let start = jiff::Timestamp::from_millisecond(now - 10 * 60_000)?.to_zoned(bastion_core::time::beijing());
    let day = start.date();
    let begin = (start.hour() as u16) * 60 + start.minute() as u16;
    let shift = ShiftDef { name: "基准班".into(), start: begin, end: (begin + 480) % 1440, required: 99 };
    let (starts_at, ends_at) = shift.span(day);
    let hash = bastion_app::auth::hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = store.begin().await?;
    let mut posts = Vec::new();
    for p in 0..10 {
        let post = NewPost {
            name: format!("基准签到岗{p:02}"),
            kind: PostKind::Patrol,
            unit_id: unit,
            checkpoint_id: None,
            shifts: vec![shift.clone()],
            min_sworn: 0,
            min_party: 0,
            skill: None,
        };
        posts.push(store.insert_post(&mut tx, &post).await?);
    }
    let mut lines = String::new();
    for i in 0..n {
        let person = NewPerson {
            police_no: format!("QD{i:05}"),
            name: format!("签到{i:03}"),
            category: Category::Police,
            sex: Sex::Male,
            birth_date: None,
            hire_date: None,
            id_number: None,
            mobile: None,
            unit_id: unit,
            position: None,
            political_status: PoliticalStatus::Masses,
            duty_status: DutyStatus::OnDuty,
            police_types: vec![],
            skills: vec![],
        };
        let pid = store.insert_person(&mut tx, &person).await?;
        let account = NewAccount {
            username: format!("bench{i:05}"),
            display_name: person.name.clone(),
            person_id: Some(pid),
            unit_id: unit,
            password_hash: hash.clone(),
            roles: vec!["officer".into()],
            must_change_password: false,
        };
        let aid = store.insert_account(&mut tx, &account).await?;
        let token = hex::encode(Sha256::digest(format!("{now}-{i}-{}", std::process::id()).as_bytes()));
        store
            .insert_session(&mut tx, &bastion_app::auth::token_hash(&token), aid, "127.0.0.1", "bench", "full")
            .await?;
        let a = NewAssignment {
            post_id: posts[i % posts.len()],
            person_id: pid,
            day: day.to_string(),
            shift: shift.name.clone(),
            starts_at,
            ends_at,
            override_reason: None,
            created_by: "bench".into(),
        };
        let id = store.insert_assignment(&mut tx, &a).await?;
        lines.push_str(&format!("{} {token}\n", id.0));
    }
    bastion_store::commit(tx).await?;
    std::fs::write(&out, lines)?;
    println!("SETUP {n} officers with sessions, on 10 posts, a shift from {}", bastion_core::time::fmt_ms(starts_at));
    Ok(())
}

async fn fire(args: &[String]) -> anyhow::Result<()> {
    let base = arg(args, "--base").ok_or_else(|| anyhow::anyhow!("--base URL"))?;
    let input = std::fs::read_to_string(arg(args, "--input").ok_or_else(|| anyhow::anyhow!("--input FILE"))?)?;
    let bare = args.iter().any(|a| a == "--bare");
    let spread_ms: u64 = arg(args, "--spread-ms").map(|s| s.parse()).transpose()?.unwrap_or(0);
    let jobs: Vec<(String, String)> =
        input.lines().filter_map(|l| l.split_once(' ')).map(|(a, t)| (a.to_string(), t.to_string())).collect();
    let n = jobs.len();
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let mut tasks = Vec::with_capacity(n);
    for (i, (assignment, token)) in jobs.into_iter().enumerate() {
        let (barrier, base) = (barrier.clone(), base.clone());
        let delay = Duration::from_millis(spread_ms * i as u64 / n.max(1) as u64);
        tasks.push(tokio::spawn(async move {
            // One client (one connection) per officer, connected before the start.
            let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build();
            if let Ok(c) = &client {
                let _ = c.get(format!("{base}/healthz")).send().await;
            }
            barrier.wait().await;
            tokio::time::sleep(delay).await;
            let Ok(client) = client else { return (Duration::ZERO, 0) };
            let t0 = Instant::now();
            let r = if bare {
                client.get(format!("{base}/people")).send().await
            } else {
                client
                    .post(format!("{base}/api/duty/assignments/{assignment}/sign-in"))
                    .header("Cookie", format!("bastion_session={token}"))
                    .send()
                    .await
            };
            let status = match r {
                Ok(r) => {
                    let s = r.status().as_u16();
                    let _ = r.bytes().await;
                    s
                }
                Err(_) => 0,
            };
            (t0.elapsed(), status)
        }));
    }
    let started = Instant::now();
    let mut lat = Vec::with_capacity(n);
    let mut statuses = std::collections::BTreeMap::new();
    for t in tasks {
        let (d, s) = t.await?;
        lat.push(d);
        *statuses.entry(s).or_insert(0) += 1;
    }
    let wall = started.elapsed();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1].as_secs_f64() * 1000.0;
    println!(
        "RESULT {}{} n={n} p50={:.1}ms p95={:.1}ms p99={:.1}ms max={:.1}ms wall={:.2}s answers={:?}",
        if bare { "bare" } else { "sign-in" },
        if spread_ms > 0 { format!(" spread={spread_ms}ms") } else { " burst".into() },
        pct(0.50),
        pct(0.95),
        pct(0.99),
        pct(1.0),
        wall.as_secs_f64(),
        statuses
    );
    Ok(())
}

async fn check(args: &[String]) -> anyhow::Result<()> {
    let input = std::fs::read_to_string(arg(args, "--input").ok_or_else(|| anyhow::anyhow!("--input FILE"))?)?;
    let (store, _) = open(args).await?;
    let (mut signed, mut total) = (0, 0);
    for id in input.lines().filter_map(|l| l.split_once(' ')).filter_map(|(a, _)| a.parse::<i64>().ok()) {
        total += 1;
        if store.assignment(AssignmentId(id)).await?.signed_in_at.is_some() {
            signed += 1;
        }
    }
    println!("CHECK {signed}/{total} assignments signed in");
    anyhow::ensure!(signed == total, "lost sign-ins: {} of {total}", total - signed);
    Ok(())
}
