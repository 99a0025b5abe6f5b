//! The solver on real instances under an iteration budget (reproducible, no timing).

use crate::common::load;
use bastion_roster::{evaluate, solve, SolveOptions};

fn budget(iters: u64, threads: usize, seed: u64) -> SolveOptions {
    SolveOptions { seed, threads, seconds: None, max_iters: Some(iters), ..Default::default() }
}

#[test]
fn instance1_feasible_and_near_optimal() {
    let inst = load(1);
    let out = solve(&inst, &budget(2_000_000, 2, 7)).unwrap();
    let ev = evaluate(&inst, &out.roster);
    assert!(ev.feasible(), "{:?}", ev.violations);
    assert_eq!(ev.objective, out.evaluation.objective);
    // 607 is optimal; the budget is small, so allow a little slack.
    assert!(ev.objective >= 607, "below the proven optimum: {}", ev.objective);
    assert!(ev.objective <= 707, "objective {}", ev.objective);
}

#[test]
fn same_seed_same_roster_with_threads() {
    let inst = load(2);
    let a = solve(&inst, &budget(200_000, 2, 42)).unwrap();
    let b = solve(&inst, &budget(200_000, 2, 42)).unwrap();
    assert_eq!(a.roster, b.roster);
    assert_eq!(a.evaluation.objective, b.evaluation.objective);
}

#[test]
fn every_person_starts_on_a_feasible_row() {
    // On Instances 11, 14 and 17 a single draw of the construction's noise misses the band of
    // shift counts some people's minutes allow (the count jumps over it as λ moves); with the
    // retries every row starts feasible, so even a tiny budget ends with a feasible roster.
    for n in [11, 14, 17] {
        let inst = load(n);
        let out = solve(&inst, &budget(2_000, 1, 1)).unwrap_or_else(|e| panic!("Instance{n}: {e}"));
        assert!(evaluate(&inst, &out.roster).feasible(), "Instance{n}");
    }
}
