//! The command dashboard and the daily report at scale (`bench/dashboard/run.sh`), over HTTP to a
//! server in this process, as the commander's browser would ask:
//!
//! 1. on the data directory (and database), the demo bureau when empty, then `--screenings N`
//!    registrations spread over the last `--days D` days at its checkpoints (the server's batched
//!    insert path, hourly counters with them), unless that many are there already;
//! 2. `GET /readyz` (the stack and one `SELECT 1`: the floor of this run), `GET /api/dashboard` (the
//!    data endpoint), `GET /dashboard` (the page) and `GET /api/dashboard/trends`, `--rounds R` times
//!    each, one after another; today's report assembled (`POST /api/reports`) and its PDF rendered
//!    (`GET /api/reports/{day}/export?format=pdf`) a few times;
//! 3. the big screen's live feed: `GET /dashboard/live` held open while a checkpoint officer
//!    registers one traveller, twenty times; the time from sending the registration to the feed's
//!    next update.
//!
//! With `--people P`, first P synthetic people spread over the demo units and one drill recall of
//! the whole bureau (P + the demo's people), so the people and recall sections run at that scale;
//! each dashboard section is also timed on its own, in this process (no HTTP), to tell which part
//! costs what. With `--posts K` (needs `--people` of at least 9·K), K duty posts of three shifts,
//! each shift of yesterday and today held by three of those people, signed in and out as the
//! shifts ran, so the duty section runs at that scale.
//!
//! Usage: `dashboard_bench --data DIR [--database URL] [--screenings N] [--days D] [--rounds R] [--people P]
//! [--posts K]`

// Linked for its global allocator (mimalloc, SQLite's too), so the server here runs as `bastion serve` does.
use bastion as _;
use std::time::{Duration, Instant};

mod common;

use bastion_app::{App, Ctx, Policy};
use bastion_core::checkpoint::{
    Decision, DocType, EntryMode, HealthCode, Reason, TempMethod, Temperature, VehicleType,
};
use bastion_store::checkpoint::{CheckpointId, NewScreening};
use bastion_store::{Crypto, Store};
use futures_util::StreamExt;
use serde_json::json;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn num(name: &str, default: u64) -> u64 {
    arg(name).and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// The n-th generated traveller at checkpoint `cp`, `days_ago` days before `now`.
fn row(n: u64, cp: i64, at: i64) -> NewScreening {
    let body = format!("3604301985{:02}{:02}{:03}", 1 + n % 12, 1 + n % 28, n % 1000);
    let doc = format!("{body}{}", bastion_core::id_number::check_char(body.as_bytes()));
    NewScreening {
        id: format!("{:08x}-{:04x}-7000-8000-{:012x}", (n >> 16) as u32, n & 0xffff, n),
        checkpoint_id: CheckpointId(cp),
        mode: EntryMode::Officer,
        captured_at: at,
        name: "林晓风".into(),
        doc_type: DocType::IdCard,
        doc_number: doc,
        sex: None,
        birth_year: None,
        phone: bastion_core::Phone::parse(&format!("139{:08}", n % 100_000_000)).ok(),
        plate: None,
        vehicle_type: VehicleType::Car,
        driver_id: None,
        origin: "武汉市".into(),
        destination: "青岚县城关镇".into(),
        reason: Reason::ReturnHome,
        travel_flag: true,
        health_code: HealthCode::Green,
        temp: Temperature::clamped(366),
        temp2: None,
        method: TempMethod::Forehead,
        fever: false,
        decision: Decision::Pass,
        officer_id: 1,
        officer: "checkpoint".into(),
        clinic: String::new(),
        pass_code: None,
        audit_unit: "bench".into(),
        audit_ip: "127.0.0.1".into(),
        request_id: String::new(),
    }
}

async fn fill(store: &Store, want: u64, days: u64) -> anyhow::Result<()> {
    let have = store.count_screenings().await? as u64;
    if have >= want {
        println!("screenings={have} (already there)");
        return Ok(());
    }
    let cps: Vec<i64> = store.checkpoints().await?.iter().map(|c| c.id.0).collect();
    let now = bastion_core::time::now_ms();
    let span = days.max(1) as i64 * 86_400_000;
    let t0 = Instant::now();
    let mut done = have;
    while done < want {
        let n = (want - done).min(1000);
        // Spread evenly over the window, oldest first, so every day and hour has its counters.
        let items = (0..n)
            .map(|i| {
                let k = done + i;
                let at = now - span + (span as u128 * k as u128 / want as u128) as i64;
                store.seal_screening(row(k, cps[(k % cps.len() as u64) as usize], at))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if store.insert_screenings_alone(&items).await?.is_none() {
            let mut tx = store.begin().await?;
            store.insert_screenings(&mut tx, &items).await?;
            bastion_store::commit(tx).await?;
        }
        done += n;
        if done.is_multiple_of(1_000_000) {
            eprintln!("{done} screenings, {:.0} rows/s", (done - have) as f64 / t0.elapsed().as_secs_f64());
        }
    }
    println!("screenings={done} filled_in_s={:.0}", t0.elapsed().as_secs_f64());
    Ok(())
}

/// `extra` synthetic people (unless there already) and one drill recall of the whole bureau.
async fn people_and_recall(store: &Store, app: &App, ctx: &Ctx, extra: u64) -> anyhow::Result<()> {
    if extra == 0 {
        return Ok(());
    }
    let have = store.people_counts(&bastion_store::org::RowScope::All).await?.total as u64;
    if have >= extra {
        println!("people={have} (already there)");
        return Ok(());
    }
    let t0 = Instant::now();
    common::add_people(store, extra as i64).await?;
    store.analyze().await?;
    println!("people added={extra} in_s={:.0}", t0.elapsed().as_secs_f64());
    let e = |x: bastion_app::AppError| anyhow::anyhow!("{x:?}");
    app.set_recall_threshold(ctx, 1_000_000).await.map_err(e)?;
    let input = bastion_app::recall::OrderInput {
        title: "全警返岗（基准）".into(),
        message: "全体人员一小时内返岗报到".into(),
        scope: "all".into(),
        deadline_minutes: "600".into(),
        mode: "drill".into(),
        ..Default::default()
    };
    let created = app.create_recall(ctx, &input).await.map_err(e)?;
    println!("recall order={} audience={}", created.id.0, created.audience);
    Ok(())
}

/// N duty posts (`基准岗位00000`…) of three eight-hour shifts needing three people each, each shift
/// of yesterday and today held by three of the synthetic people (`common::add_people`, each on one
/// shift a day); those on a shift that has begun are signed in, and out again when it has ended. The post
/// belongs to its first holder's unit. 100 posts per transaction.
async fn add_posts(store: &Store, n: i64) -> anyhow::Result<()> {
    use bastion_core::duty::{PostKind, ShiftDef};
    use bastion_store::duty::{NewAssignment, NewPost};
    let people: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, unit_id FROM people WHERE police_no LIKE 'B%' AND name LIKE '基准%' ORDER BY police_no",
    )
    .fetch_all(store.reader())
    .await?;
    anyhow::ensure!(people.len() as i64 >= n * 9, "{n} posts need {} synthetic people (--people)", n * 9);
    let shift = |name: &str, start: u16| ShiftDef { name: name.into(), start, end: (start + 480) % 1440, required: 3 };
    let shifts = [shift("夜班", 0), shift("白班", 480), shift("晚班", 960)];
    let now = bastion_core::time::now_ms();
    let today = bastion_core::time::today();
    let days = [today.yesterday()?, today];
    let mut k = 0;
    while k < n {
        let end = (k + 100).min(n);
        let mut tx = store.begin().await?;
        for p in k..end {
            let holders = &people[(p * 9) as usize..(p * 9 + 9) as usize];
            let post = NewPost {
                name: format!("基准岗位{p:05}"),
                kind: PostKind::Patrol,
                unit_id: bastion_store::org::UnitId(holders[0].1),
                checkpoint_id: None,
                shifts: shifts.to_vec(),
                min_sworn: 0,
                min_party: 0,
                skill: None,
            };
            let post_id = store.insert_post(&mut tx, &post).await?;
            for day in days {
                for (s, def) in shifts.iter().enumerate() {
                    let (starts_at, ends_at) = def.span(day);
                    for (person, _) in &holders[s * 3..s * 3 + 3] {
                        let a = NewAssignment {
                            post_id,
                            person_id: bastion_store::org::PersonId(*person),
                            day: day.to_string(),
                            shift: def.name.clone(),
                            starts_at,
                            ends_at,
                            override_reason: None,
                            created_by: "bench".into(),
                        };
                        let id = store.insert_assignment(&mut tx, &a).await?;
                        if starts_at <= now {
                            store.sign_in(&mut tx, id, starts_at, "bench").await?;
                        }
                        if ends_at <= now {
                            store.sign_out(&mut tx, id, ends_at, "bench").await?;
                        }
                    }
                }
            }
        }
        bastion_store::commit(tx).await?;
        k = end;
    }
    Ok(())
}

/// `n` duty posts at province scale (unless there already): see `add_posts`.
async fn posts(store: &Store, n: u64) -> anyhow::Result<()> {
    if n == 0 {
        return Ok(());
    }
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM duty_posts WHERE name LIKE '基准岗位%'")
        .fetch_one(store.reader())
        .await?;
    if have as u64 >= n {
        println!("posts={have} (already there)");
        return Ok(());
    }
    anyhow::ensure!(have == 0, "{have} generated posts there, {n} asked: start from an empty data directory");
    let t0 = Instant::now();
    add_posts(store, n as i64).await?;
    store.analyze().await?;
    println!("posts added={n} in_s={:.0}", t0.elapsed().as_secs_f64());
    Ok(())
}

/// p50, p95, p99 and max in milliseconds.
fn pct(mut v: Vec<Duration>) -> String {
    v.sort();
    let at = |p: f64| v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1].as_secs_f64() * 1000.0;
    format!("p50={:.1} p95={:.1} p99={:.1} max={:.1} n={}", at(0.50), at(0.95), at(0.99), at(1.0), v.len())
}

async fn times(c: &reqwest::Client, url: &str, rounds: u64) -> anyhow::Result<String> {
    let mut v = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let r = c.get(url).send().await?;
        anyhow::ensure!(r.status().is_success(), "{url}: {}", r.status());
        r.bytes().await?;
        v.push(t.elapsed());
    }
    Ok(pct(v))
}

async fn login(base: &str, name: &str, password: &str) -> anyhow::Result<reqwest::Client> {
    let c = reqwest::Client::builder().cookie_store(true).build()?;
    let r = c.post(format!("{base}/api/login")).json(&json!({"username": name, "password": password})).send().await?;
    anyhow::ensure!(r.status().is_success(), "login {name}: {} {}", r.status(), r.text().await?);
    Ok(c)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let data = std::path::PathBuf::from(arg("--data").ok_or_else(|| anyhow::anyhow!("--data DIR"))?);
    let database = arg("--database");
    let rounds = num("--rounds", 200);
    std::fs::create_dir_all(data.join("keys"))?;
    let crypto = Crypto::load(&data.join("keys").join("bastion.keys"))?;
    let store = Store::open(&data, database.as_deref(), crypto).await?;
    let app = App::new(store.clone(), Policy::default());
    let password = std::env::var("BASTION_DEMO_PASSWORD").unwrap_or_else(|_| "Demo#2026pass".into());
    if store.units().await?.is_empty() {
        app.create_demo(&password, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    fill(&store, num("--screenings", 1_000_000), num("--days", 30)).await?;
    let commander = store.account_by_username("commander").await?.ok_or_else(|| anyhow::anyhow!("no commander"))?;
    let ctx = Ctx::from_account(&commander, "bench", "");
    people_and_recall(&store, &app, &ctx, num("--people", 0)).await?;
    posts(&store, num("--posts", 0)).await?;
    println!("backend={}", store.backend.name());
    // Each section alone, in process: where the dashboard's time goes.
    for s in bastion_app::dashboard::SECTIONS {
        let mut v = Vec::new();
        for i in 0..rounds.min(50) + 3 {
            let t = Instant::now();
            (s.section)(&app, &ctx).await.map_err(|e| anyhow::anyhow!("{}: {e}", s.feature))?;
            if i >= 3 {
                v.push(t.elapsed());
            }
        }
        println!("section {}: {}", s.feature, pct(v));
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(bastion_web::serve(app, bastion_web::WebSettings::default(), None, listener, async {
        let _ = stopped.await;
    }));
    let boss = login(&base, "commander", &password).await?;
    // Warm the caches the first requests fill, as a server that has been up a while has them.
    for path in ["/readyz", "/api/dashboard", "/dashboard", "/api/dashboard/trends"] {
        times(&boss, &format!("{base}{path}"), 5).await?;
    }
    for path in ["/readyz", "/api/dashboard", "/dashboard", "/api/dashboard/trends"] {
        println!("GET {path}: {}", times(&boss, &format!("{base}{path}"), rounds).await?);
    }

    // Today's report: assembled by the HQ desk, printed by the commander.
    let desk = login(&base, "duty", &password).await?;
    let day = bastion_core::time::today().to_string();
    let mut assembled = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let r = desk.post(format!("{base}/api/reports")).json(&json!({"day": day})).send().await?;
        anyhow::ensure!(r.status().is_success(), "assemble: {} {}", r.status(), r.text().await?);
        assembled.push(t.elapsed());
    }
    println!("POST /api/reports (assemble today): {}", pct(assembled));
    println!(
        "GET /api/reports/{{day}}/export?format=pdf: {}",
        times(&boss, &format!("{base}/api/reports/{day}/export?format=pdf"), 10).await?
    );

    // The live feed: from a registration sent to the feed's next update.
    let gate = login(&base, "checkpoint", &password).await?;
    let cps: serde_json::Value = gate.get(format!("{base}/api/checkpoints")).send().await?.json().await?;
    let cp = cps.as_array().and_then(|a| a.first()).and_then(|c| c["id"].as_i64()).unwrap_or(1);
    let mut feed = boss.get(format!("{base}/dashboard/live")).send().await?.bytes_stream();
    let mut live = Vec::new();
    // Ids new to this run: a registration already stored (an earlier run on a kept database) is
    // acknowledged without a change, and the feed would have nothing to send.
    let run = bastion_core::time::now_ms() as u64 & 0xffff_ffff;
    for i in 0..20u64 {
        let body = json!({"id": format!("00000000-0000-4000-a000-{run:08x}{i:04x}"), "checkpoint_id": cp,
            "name": "林晓风", "doc_type": "id_card", "doc_number": "11010519491231002X", "phone": "13900001111",
            "vehicle_type": "car", "origin": "武汉市", "destination": "青岚县城关镇", "reason": "return_home",
            "travel_flag": "1", "health_code": "green", "temp": "36.6", "method": "forehead", "decision": "pass"});
        let t = Instant::now();
        let r = gate.post(format!("{base}/api/checkpoints/registrations")).json(&body).send().await?;
        anyhow::ensure!(r.status().is_success(), "register: {} {}", r.status(), r.text().await?);
        // The next `sections` event (keep-alives in between are not updates).
        tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(Ok(chunk)) = feed.next().await {
                if String::from_utf8_lossy(&chunk).contains("event: sections") {
                    break;
                }
            }
        })
        .await?;
        live.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    println!("registration to the live feed's update: {}", pct(live));
    // The open feed would hold the server's graceful shutdown: close it first.
    drop(feed);
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
    Ok(())
}
