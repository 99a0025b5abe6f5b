//! Rosters at the bureau's scale, through the use cases (no HTTP): the demo bureau (956 staff) on a
//! fresh database, with posts added so that every station keeps a checkpoint on three 8-hour
//! shifts of three (a sworn officer and a party member on each), the traffic and patrol squads a
//! patrol on two 12-hour shifts of four, and the party committee leads on duty each day. Then:
//! a 28-day roster of the whole bureau generated (timed, once per seed), its hard rules checked by
//! the engine's independent evaluator, one officer falling sick for three days repaired (timed),
//! and a version's page (the grid of the largest unit, fairness of every unit) read `--rounds`
//! times; beside them, in the same run, the store's trivial round trip (`SELECT 1`) as the floor.
//!
//! Usage: `roster_bench --data EMPTY_DIR [--database URL_OF_AN_EMPTY_DATABASE] [--seeds N] [--rounds R]`

mod common;
use common::{arg, e, num, pct};

use std::time::Instant;

use bastion_app::duty::roster::{GenerateInput, RepairInput, RosterId};
use bastion_app::duty::PostInput;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let data = std::path::PathBuf::from(arg("--data").unwrap_or_else(|| "/tmp/bastion-roster-bench".into()));
    let database = arg("--database");
    let seeds: u32 = num("--seeds", 3);
    let rounds: usize = num("--rounds", 100);
    let (store, app) = common::demo_bureau(&data, database.as_deref()).await?;
    let backend = store.backend.name();
    let boss = common::ctx_of(&store, "commander").await?;
    let unit = |code: &'static str| {
        let store = store.clone();
        async move { anyhow::Ok(store.unit_by_code(code).await?.ok_or_else(|| anyhow::anyhow!("no unit {code}"))?.id.0) }
    };
    let post = |name: String, kind: &str, unit: i64, shifts: &str, sworn: i64, party: i64| PostInput {
        name,
        kind: kind.into(),
        unit_id: unit.to_string(),
        shifts: shifts.into(),
        min_sworn: sworn.to_string(),
        min_party: party.to_string(),
        ..PostInput::default()
    };
    for code in ["S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09"] {
        let p = post(
            format!("{code} 入境卡点"),
            "checkpoint",
            unit(code).await?,
            "早班 08:00-16:00 3\n中班 16:00-24:00 3\n夜班 00:00-08:00 3",
            1,
            1,
        );
        app.create_post(&boss, &p).await.map_err(e)?;
    }
    for code in ["D07-1", "D07-2", "D08-1", "D08-2"] {
        let p =
            post(format!("{code} 巡逻"), "patrol", unit(code).await?, "日巡 08:00-20:00 4\n夜巡 20:00-08:00 4", 1, 1);
        app.create_post(&boss, &p).await.map_err(e)?;
    }
    let lead = post("领导带班".into(), "lead", unit("HQ").await?, "带班 08:00-08:00 1", 0, 0);
    app.create_post(&boss, &lead).await.map_err(e)?;
    let root = unit("BUREAU").await?;
    let first = bastion_core::time::today().tomorrow().map_err(e)?.to_string();

    let floor = {
        let mut v = Vec::new();
        for _ in 0..rounds {
            let t = Instant::now();
            store.ping().await?;
            v.push(t.elapsed());
        }
        pct(v)
    };
    let mut last = RosterId(0);
    for seed in 1..=seeds {
        let input = GenerateInput {
            unit_id: root.to_string(),
            first_day: first.clone(),
            days: "28".into(),
            seconds: "10".into(),
            seed: seed.to_string(),
        };
        let t = Instant::now();
        let id = app.generate_roster(&boss, &input).await.map_err(e)?;
        let took = t.elapsed();
        let v = app.roster_view(&boss, id, None).await.map_err(e)?;
        let r = &v.roster;
        println!(
            "backend={backend} generate seed={seed}: {:.2} s (engine {} ms); people short {}, conditions unmet {}, hard rules broken {}, objective {}",
            took.as_secs_f64(),
            r.solve_ms,
            r.short_shifts,
            r.short_conditions,
            r.hard_violations,
            r.objective
        );
        last = id;
    }
    let v = app.roster_view(&boss, last, None).await.map_err(e)?;
    let people: usize = v.fairness.iter().map(|f| f.people).sum();
    println!("rostered people {people}, units {}, shift types {}", v.fairness.len(), v.keys.len());
    for f in &v.fairness {
        println!(
            "  {}: {} people, shifts {}–{} (Gini {}), nights {}–{} (Gini {}), weekend {}–{}, hours {}–{}",
            f.unit_name,
            f.people,
            f.shifts.min,
            f.shifts.max,
            f.shifts.gini,
            f.nights.min,
            f.nights.max,
            f.nights.gini,
            f.weekend_shifts.min,
            f.weekend_shifts.max,
            f.hours.min,
            f.hours.max
        );
    }
    // Someone of the largest unit with a shift on the first day falls sick for three days (the
    // grid shows one unit at a time; the first unit may have nobody on day one).
    let largest = v.fairness.iter().max_by_key(|f| f.people).map(|f| f.unit_id.0.to_string());
    let grid = app.roster_view(&boss, last, largest.as_deref()).await.map_err(e)?;
    let sick = grid.rows.iter().find(|r| r.cells[0].is_some()).ok_or_else(|| anyhow::anyhow!("nobody on day one"))?;
    let input = RepairInput {
        police_no: sick.police_no.clone(),
        from: first.clone(),
        to: v.days[2].clone(),
        reason: "病假".into(),
        ..RepairInput::default()
    };
    let t = Instant::now();
    let fix = app.repair_roster(&boss, last, &input).await.map_err(e)?;
    let took = t.elapsed();
    let fixed = app.roster_view(&boss, fix.roster_id, None).await.map_err(e)?;
    let forced = fix.changes.iter().filter(|c| c.forced).count();
    println!(
        "repair (3 days sick): {:.2} s (engine {} ms); cells changed {} ({} of them the sick officer's), people short {}, hard rules broken {}",
        took.as_secs_f64(),
        fixed.roster.solve_ms,
        fix.changes.len(),
        forced,
        fixed.roster.short_shifts,
        fixed.roster.hard_violations
    );
    // The page: the largest unit's grid and every unit's fairness.
    let mut times = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        app.roster_view(&boss, last, largest.as_deref()).await.map_err(e)?;
        times.push(t.elapsed());
    }
    let page = pct(times);
    println!("roster page (956 × 28 loaded, grid of the largest unit): p50 {:.2} ms, p99 {:.2} ms", page.0, page.1);
    println!("floor SELECT 1: p50 {:.2} ms, p99 {:.2} ms", floor.0, floor.1);
    Ok(())
}
