//! Times what a duty officer's screen asks of the engine on the reference bureau (956 staff,
//! 28 days): explaining a cell (hover / tried edit) and repairing the published roster after
//! a small change (one person sick, one request added, five people sick), with the number of
//! changed cells. A measurement, not a test: figures go to docs/benchmarks.md.
//!
//! `trust [SOLVE_ITERS=3000000] [EXPLAIN_CELLS=300] [MAX_CHANGES=12]`

use bastion_roster::bureau::{self, reference_bureau};
use bastion_roster::model::Request;
use bastion_roster::repair::{repair_with, resolve_stable, with_requests, Absence, RepairOutcome, RepairSettings};
use bastion_roster::{explain, solve, Instance, Roster, SolveOptions};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let solve_iters = args.first().copied().unwrap_or(3_000_000);
    let cells = args.get(1).copied().unwrap_or(300) as usize;
    let bound = args.get(2).copied().unwrap_or(12) as usize;
    let b = reference_bureau(1);
    let inst = bureau::to_instance(&b);
    let opts = SolveOptions { seed: 1, threads: 2, seconds: None, max_iters: Some(solve_iters), ..Default::default() };
    let t = Instant::now();
    let solved = solve(&inst, &opts)?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "published roster\t{} iterations on 2 threads\t{secs:.2} s\t{:.1} M iterations/s\tobjective {}\tfeasible {}",
        solved.iterations,
        solved.iterations as f64 / secs / 1e6,
        solved.evaluation.objective,
        bureau::check(&inst, &solved.roster, &solved.evaluation).ok()
    );

    // Explain: cells drawn with a fixed stream, half of them worked cells.
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let mut times = Vec::with_capacity(cells);
    let mut alternatives = 0;
    while times.len() < cells {
        let (e, d) = (next(inst.staff.len()), next(inst.days));
        if times.len() % 2 == 0 && solved.roster.get(e, d).is_none() {
            continue;
        }
        let t = Instant::now();
        let ex = explain(&inst, &solved.roster, e, d)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        alternatives += ex.alternatives.len();
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "explain\t{} cells ({alternatives} alternatives priced)\tmean {:.2} ms\tmedian {:.2} ms\tp99 {:.2} ms\tmax {:.2} ms",
        times.len(),
        times.iter().sum::<f64>() / times.len() as f64,
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );

    // Repair: a checkpoint officer with the most shifts on days 10-12 falls sick for them.
    let worked = |e: usize, days: std::ops::Range<usize>| days.filter(|&d| solved.roster.get(e, d).is_some()).count();
    let mut by_load: Vec<usize> = (0..inst.staff.len()).filter(|&e| inst.staff[e].id.starts_with('K')).collect();
    by_load.sort_by_key(|&e| (std::cmp::Reverse(worked(e, 10..13)), e));
    let one = [Absence { staff: by_load[0], days: vec![10, 11, 12] }];
    let five: Vec<Absence> = by_load[..5].iter().map(|&e| Absence { staff: e, days: vec![10, 11, 12] }).collect();
    // A checkpoint officer asks for a night shift at their checkpoint on a day they are off.
    let (asker, day) = (0..inst.staff.len())
        .filter(|&e| inst.staff[e].id.starts_with("K1"))
        .find_map(|e| {
            (14..21).find(|&d| solved.roster.get(e, d).is_none() && !inst.staff[e].days_off[d]).map(|d| (e, d))
        })
        .ok_or_else(|| anyhow::anyhow!("no officer off in the third week"))?;
    let k1n = inst.shift_index("K1N").ok_or_else(|| anyhow::anyhow!("no shift K1N"))?;
    let asked = with_requests(&inst, &[Request { staff: asker, day, shift: k1n, weight: 50 }], &[]);
    // What granting it alone would cost, as the grid's hover would show it.
    let grant = explain(&asked, &solved.roster, asker, day)?
        .alternatives
        .into_iter()
        .find(|a| a.value == Some(k1n))
        .map_or((i64::MAX, Vec::new()), |a| (a.objective_delta, a.breaks));
    let breaks: Vec<&str> = grant.1.iter().map(|v| v.constraint()).collect();
    println!(
        "request\t{} asks for K1N on day {day} (weight 50)\tgranting it alone changes the objective by {:+} and breaks {:?} (a repair adds the change price, 30 a cell)",
        inst.staff[asker].id, grant.0, breaks
    );
    let repair_opts = SolveOptions { seconds: Some(2.0), max_iters: None, ..opts.clone() };
    for (max_changes, label) in [(None, "no bound"), (Some(bound), "bounded")] {
        let mut settings = RepairSettings { max_changes, ..RepairSettings::default() };
        // ROSTER_STALL: iterations per thread without a better roster before a repair stops.
        if let Some(n) = std::env::var("ROSTER_STALL").ok().and_then(|v| v.parse().ok()) {
            settings.stall_iterations = Some(n);
        }
        let runs: [(&str, Box<Run<'_>>); 3] = [
            ("one sick 3 days", Box::new(|| Ok(repair_with(&inst, &solved.roster, &one, &repair_opts, &settings)?))),
            ("five sick 3 days", Box::new(|| Ok(repair_with(&inst, &solved.roster, &five, &repair_opts, &settings)?))),
            ("one request added", Box::new(|| Ok(resolve_stable(&asked, &solved.roster, &repair_opts, &settings)?))),
        ];
        for (what, f) in runs {
            let t = Instant::now();
            let r = f()?;
            let secs = t.elapsed().as_secs_f64();
            report(&format!("repair {what}, {label}"), &r, secs, &solved.roster);
        }
    }
    Ok(())
}

type Run<'a> = dyn Fn() -> anyhow::Result<RepairOutcome> + 'a;

fn report(what: &str, r: &RepairOutcome, secs: f64, published: &Roster) {
    let ok = bureau::check(&r.instance, &r.roster, &r.evaluation).ok();
    let differ = published.diff(&r.roster).len();
    println!(
        "{what}\t{secs:.3} s (search {:.3} s, {} iterations)\tremoved {}\tchanged {} (bound {})\tcells differing from the published roster {differ}\tobjective {}\tbureau check {}",
        r.seconds,
        r.iterations,
        r.removed.len(),
        r.changes.len(),
        r.max_changes.map_or("none".into(), |m: usize| m.to_string()),
        r.evaluation.objective,
        if ok { "ok" } else { short(&r.instance, r) }
    );
}

fn short(inst: &Instance, r: &RepairOutcome) -> &'static str {
    let c = bureau::check(inst, &r.roster, &r.evaluation);
    if c.missing_staff > 0 {
        "post shifts short"
    } else if c.missing_skill_or_party > 0 {
        "skill or party minimum short"
    } else {
        "not ok"
    }
}
