//! The same input, seed and iteration budget give the same roster — on any machine: the
//! fingerprints below were recorded once and must not move unless the search is changed on
//! purpose (then record them again and say so in the commit).

use crate::common::load;
use bastion_roster::{parse::roster_to_csv, solve, Instance, Roster, SolveOptions};

fn budget(iters: u64, threads: usize, seed: u64) -> SolveOptions {
    SolveOptions { seed, threads, seconds: None, max_iters: Some(iters), ..Default::default() }
}

/// FNV-1a of the roster CSV: one number that changes when any cell does.
fn fingerprint(inst: &Instance, roster: &Roster) -> u64 {
    roster_to_csv(inst, roster)
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[test]
fn same_input_seed_and_budget_give_the_recorded_roster() {
    // Instance13 has 18 shift types: its search re-plans whole days (column.rs).
    let cases: [(usize, u64, usize, i64, u64); 3] = [
        (3, 11, 2, 1120, 13824410969334272198),
        (7, 5, 1, 1330, 6642177460776103703),
        (13, 2, 2, 142946, 11946521202378792048),
    ];
    let mut got = Vec::new();
    for (n, seed, threads, _, _) in cases {
        let inst = load(n);
        let a = solve(&inst, &budget(200_000, threads, seed)).unwrap();
        let b = solve(&inst, &budget(200_000, threads, seed)).unwrap();
        assert_eq!(a.roster, b.roster, "Instance{n} differs between two runs");
        got.push((n, seed, threads, a.evaluation.objective, fingerprint(&inst, &a.roster)));
    }
    assert_eq!(got, cases.to_vec(), "recorded (instance, seed, threads, objective, fingerprint)");
}

/// The whole-day re-plans with run slides and, with 12 shift types or more, mends (on by
/// default from 84 days; here forced on the 28-day, 18-type Instance13 to keep the test short).
#[test]
fn run_slides_give_the_recorded_roster() {
    let inst = load(13);
    let mut opts = budget(200_000, 2, 2);
    opts.tuning.column_slide_days = 0;
    let a = solve(&inst, &opts).unwrap();
    let b = solve(&inst, &opts).unwrap();
    assert_eq!(a.roster, b.roster, "Instance13 with slides differs between two runs");
    assert_eq!(
        (a.evaluation.objective, fingerprint(&inst, &a.roster)),
        (7154, 11644506325772972071),
        "recorded (objective, fingerprint)"
    );
}

#[test]
fn the_bureau_is_reproducible_with_two_threads() {
    let inst = bastion_roster::bureau::to_instance(&bastion_roster::bureau::reference_bureau(1));
    let a = solve(&inst, &budget(150_000, 2, 9)).unwrap();
    let b = solve(&inst, &budget(150_000, 2, 9)).unwrap();
    assert_eq!(a.roster, b.roster);
    assert_eq!(a.search_cost, a.evaluation.objective, "the search's own cost agrees with the referee");
}
