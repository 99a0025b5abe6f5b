//! Runs the roster engine over the Curtois–Qu instances: `bench DIR SECONDS THREADS [FIRST LAST]`.
//! A benchmark, not a test: figures go to docs/benchmarks.md.

use bastion_roster::bench::{best_known, gap_percent, instance_files};
use bastion_roster::{parse_instance, solve, SolveOptions};
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Default: the in-repository copy of the instances.
    let default_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/roster/instances");
    let dir = PathBuf::from(args.first().map(String::as_str).unwrap_or(default_dir));
    let seconds: f64 = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(10.0);
    let threads: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(2);
    let first: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(1);
    let last: usize = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(24);
    println!("instance\tobjective\tbest\tgap%\tseconds\titerations\ton/off/under/over");
    for path in instance_files(&dir)? {
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_string();
        let n: usize = name.trim_start_matches("Instance").parse().unwrap_or(0);
        if n < first || n > last {
            continue;
        }
        let inst = parse_instance(&name, &std::fs::read_to_string(&path)?)?;
        let mut opts = SolveOptions { seed: 1, threads, seconds: Some(seconds), ..Default::default() };
        // Tuning experiments without a rebuild: ROSTER_T0, ROSTER_T1, ROSTER_CYCLES, ROSTER_P_COVER and
        // ROSTER_P_WFIX (instances under 300 days), ROSTER_P_COVER_LONG and ROSTER_P_WFIX_LONG (300 days
        // or more), ROSTER_P_REQUEST, ROSTER_P_WEEKEND, ROSTER_P_RCHAIN, ROSTER_HW_MIN,
        // ROSTER_COLUMN_EVERY, ROSTER_COLUMN_MIN_TYPES, ROSTER_COLUMN_MIN_DAYS,
        // ROSTER_COLUMN_SLIDE_DAYS,
        // ROSTER_COLUMN_MEND_TYPES, ROSTER_PAIR_EVERY, ROSTER_PAIR_DAYS.
        let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<f64>().ok());
        // ROSTER_ITERS: a per-thread iteration budget instead of the time limit (reproducible,
        // load-independent comparisons on a shared machine).
        if let Some(n) = env("ROSTER_ITERS") {
            opts.max_iters = Some(n as u64);
            opts.seconds = None;
        }
        // ROSTER_SEED: another seed, to tell a real improvement from one lucky run.
        opts.seed = env("ROSTER_SEED").map_or(opts.seed, |v| v as u64);
        let t = &mut opts.tuning;
        t.t0 = env("ROSTER_T0").unwrap_or(t.t0);
        t.t1 = env("ROSTER_T1").unwrap_or(t.t1);
        t.cycles = env("ROSTER_CYCLES").map_or(t.cycles, |v| v as u32);
        t.p_cover = env("ROSTER_P_COVER").map_or(t.p_cover, |v| v as u32);
        t.p_cover_long = env("ROSTER_P_COVER_LONG").map_or(t.p_cover_long, |v| v as u32);
        t.p_request = env("ROSTER_P_REQUEST").map_or(t.p_request, |v| v as u32);
        t.p_weekend = env("ROSTER_P_WEEKEND").map_or(t.p_weekend, |v| v as u32);
        t.hard_w_min = env("ROSTER_HW_MIN").unwrap_or(t.hard_w_min);
        t.p_rchain = env("ROSTER_P_RCHAIN").map_or(t.p_rchain, |v| v as u32);
        t.p_wfix = env("ROSTER_P_WFIX").map_or(t.p_wfix, |v| v as u32);
        t.p_wfix_long = env("ROSTER_P_WFIX_LONG").map_or(t.p_wfix_long, |v| v as u32);
        t.column_every = env("ROSTER_COLUMN_EVERY").map_or(t.column_every, |v| v as u64);
        t.column_min_types = env("ROSTER_COLUMN_MIN_TYPES").map_or(t.column_min_types, |v| v as usize);
        t.column_min_days = env("ROSTER_COLUMN_MIN_DAYS").map_or(t.column_min_days, |v| v as usize);
        t.column_slide_days = env("ROSTER_COLUMN_SLIDE_DAYS").map_or(t.column_slide_days, |v| v as usize);
        t.column_mend_types = env("ROSTER_COLUMN_MEND_TYPES").map_or(t.column_mend_types, |v| v as usize);
        t.pair_every = env("ROSTER_PAIR_EVERY").map_or(t.pair_every, |v| v as u64);
        t.pair_days = env("ROSTER_PAIR_DAYS").map_or(t.pair_days, |v| v as usize);
        let best = best_known(&name).unwrap_or(0);
        match solve(&inst, &opts) {
            Ok(out) => println!(
                "{name}\t{}\t{best}\t{:.2}\t{:.1}\t{}\t{}/{}/{}/{}",
                out.evaluation.objective,
                gap_percent(out.evaluation.objective, best),
                out.seconds,
                out.iterations,
                out.evaluation.on_requests,
                out.evaluation.off_requests,
                out.evaluation.under,
                out.evaluation.over
            ),
            Err(e) => println!("{name}\tINFEASIBLE\t{best}\t-\t{seconds:.1}\t{e}"),
        }
    }
    Ok(())
}
