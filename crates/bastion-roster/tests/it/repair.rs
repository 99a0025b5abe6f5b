//! Repair changes what the absences force and as little else as possible.

use crate::common::load;
use bastion_roster::model::Request;
use bastion_roster::repair::{
    repair, repair_with, resolve_stable, with_requests, Absence, RepairSettings, DEFAULT_CHANGE_WEIGHT,
};
use bastion_roster::{evaluate, parse_instance, solve, SolveOptions};

fn budget(iters: u64) -> SolveOptions {
    SolveOptions { seed: 3, threads: 1, seconds: None, max_iters: Some(iters), ..Default::default() }
}

#[test]
fn absence_on_days_off_changes_nothing() {
    let inst = load(1);
    let solved = solve(&inst, &budget(1_000_000)).unwrap();
    // Find someone's days off and make them "unavailable" exactly then.
    let (e, days) = (0..inst.staff.len())
        .map(|e| {
            let off: Vec<usize> = (0..inst.days).filter(|&d| solved.roster.get(e, d).is_none()).collect();
            (e, off)
        })
        .find(|(_, off)| !off.is_empty())
        .unwrap();
    let out =
        repair(&inst, &solved.roster, &[Absence { staff: e, days }], &budget(200_000), DEFAULT_CHANGE_WEIGHT).unwrap();
    assert!(out.removed.is_empty());
    assert!(out.changes.is_empty(), "{:?}", out.changes);
    assert_eq!(out.roster, solved.roster);
    assert_eq!(out.evaluation.objective, solved.evaluation.objective);
}

#[test]
fn one_sick_day_is_covered_by_exactly_one_change() {
    let text = "SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\n\
        A,D=7,9999,0,7,1,1,2\nB,D=7,9999,0,7,1,1,2\nC,D=7,9999,0,7,1,1,2\n\n\
        SECTION_COVER\n0,D,1,100,1\n1,D,1,100,1\n2,D,1,100,1\n3,D,1,100,1\n\
        4,D,1,100,1\n5,D,1,100,1\n6,D,1,100,1\n";
    let inst = parse_instance("three", text).unwrap();
    let roster = crate::common::roster(&inst, &["DDD----", "---DDDD", "-------"]);
    assert_eq!(evaluate(&inst, &roster).objective, 0);
    let out = repair(&inst, &roster, &[Absence { staff: 0, days: vec![1] }], &budget(100_000), DEFAULT_CHANGE_WEIGHT)
        .unwrap();
    assert_eq!(out.removed.len(), 1);
    assert_eq!(out.changes.len(), 1, "{:?}", out.changes);
    let c = out.changes[0];
    assert_eq!((c.day, c.before, c.after), (1, None, Some(0)));
    assert_ne!(c.staff, 0, "the sick person is not put back");
    assert_eq!(out.evaluation.objective, 0);
    assert!(out.evaluation.feasible());
}

#[test]
fn repair_on_benchmark_stays_feasible_and_pays_for_each_change() {
    let inst = load(2);
    let solved = solve(&inst, &budget(1_500_000)).unwrap();
    let e = (0..inst.staff.len())
        .find(|&e| (0..inst.days).filter(|&d| solved.roster.get(e, d).is_some()).count() >= 3)
        .unwrap();
    let days: Vec<usize> = (0..inst.days).filter(|&d| solved.roster.get(e, d).is_some()).take(3).collect();
    let out = repair(
        &inst,
        &solved.roster,
        &[Absence { staff: e, days: days.clone() }],
        &budget(300_000),
        DEFAULT_CHANGE_WEIGHT,
    )
    .unwrap();
    assert_eq!(out.removed.len(), 3);
    let ev = evaluate(&out.instance, &out.roster);
    assert!(ev.feasible(), "{:?}", ev.violations);
    for &d in &days {
        assert_eq!(out.roster.get(e, d), None);
    }
    // Doing nothing after the removal is one candidate, so every change must pay for itself.
    let damaged = out.instance.clone();
    let mut doing_nothing = solved.roster.clone();
    for &d in &days {
        doing_nothing.rows[e][d] = None;
    }
    let nothing = evaluate(&damaged, &doing_nothing);
    if nothing.feasible() {
        assert!(
            ev.objective + DEFAULT_CHANGE_WEIGHT * out.changes.len() as i64 <= nothing.objective,
            "changes {} objective {} vs doing nothing {}",
            out.changes.len(),
            ev.objective,
            nothing.objective
        );
    }
    // Nobody else's fixed days off are touched, and the untouched majority stays untouched.
    assert!(out.changes.len() <= 12, "{} changes", out.changes.len());
}

const THREE: &str = "SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\n\
    A,D=7,9999,0,7,1,1,2\nB,D=7,9999,0,7,1,1,2\nC,D=7,9999,0,7,1,1,2\n\n\
    SECTION_COVER\n0,D,1,100,1\n1,D,1,100,1\n2,D,1,100,1\n3,D,1,100,1\n\
    4,D,1,100,1\n5,D,1,100,1\n6,D,1,100,1\n";

#[test]
fn the_change_bound_holds_and_binds() {
    let inst = parse_instance("three", THREE).unwrap();
    let roster = crate::common::roster(&inst, &["DDD----", "---DDDD", "-------"]);
    // A falls sick on days 0-2: three shifts lost, C can take all three (3 changes, 90).
    let absent = [Absence { staff: 0, days: vec![0, 1, 2] }];
    let with = |max_changes| {
        let settings = RepairSettings { max_changes, ..RepairSettings::default() };
        repair_with(&inst, &roster, &absent, &budget(50_000), &settings).unwrap()
    };
    let free = with(None);
    assert_eq!(free.removed.len(), 3);
    assert_eq!((free.changes.len(), free.evaluation.objective), (3, 0), "{:?}", free.changes);
    for bound in [2, 1] {
        let held = with(Some(bound));
        assert_eq!(held.changes.len(), bound, "{:?}", held.changes);
        assert_eq!(held.max_changes, Some(bound));
        // Each shift left uncovered costs 100.
        assert_eq!(held.evaluation.objective, 100 * (3 - bound as i64));
        assert!(held.evaluation.feasible());
    }
    // No change allowed: the damaged roster (feasible, with its gaps) comes back as it is.
    let none = with(Some(0));
    assert!(none.changes.is_empty());
    assert_eq!(none.evaluation.objective, 300);
}

#[test]
fn repair_is_reproducible() {
    let inst = load(3);
    let solved = solve(&inst, &budget(500_000)).unwrap();
    let days: Vec<usize> = (0..inst.days).filter(|&d| solved.roster.get(4, d).is_some()).take(4).collect();
    let absent = [Absence { staff: 4, days }];
    let opts = SolveOptions { threads: 2, ..budget(200_000) };
    let a = repair_with(&inst, &solved.roster, &absent, &opts, &RepairSettings::default()).unwrap();
    let b = repair_with(&inst, &solved.roster, &absent, &opts, &RepairSettings::default()).unwrap();
    assert_eq!(a.roster, b.roster);
    assert_eq!(a.changes, b.changes);
}

#[test]
fn a_new_request_is_granted_only_when_it_pays_for_the_change() {
    let inst = parse_instance("three", THREE).unwrap();
    let roster = crate::common::roster(&inst, &["DDD----", "---DDDD", "-------"]);
    // C asks to work day 5: granting it costs one change (30) and one shift over cover (1).
    let ask = |weight| with_requests(&inst, &[Request { staff: 2, day: 5, shift: 0, weight }], &[]);
    let cheap = resolve_stable(&ask(20), &roster, &budget(50_000), &RepairSettings::default()).unwrap();
    assert!(cheap.changes.is_empty(), "{:?}", cheap.changes);
    assert_eq!(cheap.evaluation.objective, 20);
    let dear = resolve_stable(&ask(50), &roster, &budget(50_000), &RepairSettings::default()).unwrap();
    assert_eq!(dear.changes.len(), 1, "{:?}", dear.changes);
    let c = dear.changes[0];
    assert_eq!((c.staff, c.day, c.before, c.after), (2, 5, None, Some(0)));
    assert_eq!(dear.evaluation.objective, 1);
    assert!(dear.removed.is_empty());
}

#[test]
fn a_gap_the_absence_makes_unfillable_is_named_not_refused() {
    // C may not work at all; A and B share the week. B falls sick on day 4: nobody else may
    // work that day (A is fixed off), so the gap stays — reported, with the roster kept.
    let text = THREE.replace("C,D=7,", "C,D=0,").replace("SECTION_COVER", "SECTION_DAYS_OFF\nA,4\n\nSECTION_COVER");
    let inst = parse_instance("three", &text).unwrap();
    let roster = crate::common::roster(&inst, &["DDD----", "---DDDD", "-------"]);
    assert!(inst.contradictions().is_empty());
    let out =
        repair(&inst, &roster, &[Absence { staff: 1, days: vec![4] }], &budget(20_000), DEFAULT_CHANGE_WEIGHT).unwrap();
    assert_eq!(out.removed.len(), 1);
    assert_eq!(out.evaluation.under, 100);
    assert!(out.evaluation.feasible());
    assert_eq!(
        out.unfillable,
        vec![bastion_roster::model::Contradiction::CoverNoOneAvailable { shift: "D".into(), days: vec![4] }]
    );
}
