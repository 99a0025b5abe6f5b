//! The evaluator against objectives and violations computed by hand.

use crate::common::{load, roster, tiny};
use bastion_roster::{evaluate, parse_instance, Violation};

#[test]
fn hand_computed_objective_on_tiny_instance() {
    let inst = tiny(
        &["A,E=7|L=7,2880,960,3,2,2,1", "B,E=7|L=0,2880,0,5,1,1,2"],
        &["A,6", "B"],
        &["A,0,E,2", "B,3,E,3"],
        &["A,2,L,4", "B,5,E,1"],
    );
    let r = roster(&inst, &["EEL----", "E--EE--"]);
    let ev = evaluate(&inst, &r);
    assert!(ev.feasible(), "{:?}", ev.violations);
    // Off-request A day 2 L is violated (4); both on-requests are granted.
    assert_eq!(ev.on_requests, 0);
    assert_eq!(ev.off_requests, 4);
    // Missing: L on days 0,1,3,4; E on day 2; both shifts on days 5 and 6 → 9 × 100.
    assert_eq!(ev.under, 900);
    // Two people on E on day 0 → one over, weight 1.
    assert_eq!(ev.over, 1);
    assert_eq!(ev.objective, 905);
}

#[test]
fn unmet_on_request_and_wrong_shift_are_paid() {
    let inst = tiny(&["A,E=7|L=7,2880,0,7,1,1,2"], &[], &["A,0,E,2", "A,1,L,5"], &[]);
    // Day 0 works L instead of the requested E (paid 2); day 1 is off (paid 5).
    let ev = evaluate(&inst, &roster(&inst, &["L------"]));
    assert_eq!(ev.on_requests, 7);
    assert_eq!(ev.under, 13 * 100);
    assert_eq!(ev.objective, 7 + 1300);
}

#[test]
fn edge_rule_exempts_runs_touching_first_and_last_day() {
    let inst = tiny(&["A,E=7|L=7,9999,0,7,2,2,2"], &[], &[], &[]);
    // Work run of 1 on day 0 and on day 6 touch the edges: allowed. Off run of 1 on day 1: not.
    let ev = evaluate(&inst, &roster(&inst, &["E-EE--E"]));
    assert_eq!(ev.violations, vec![Violation::MinDaysOff { staff: 0, start: 1, len: 1, min: 2 }]);
    // Off run of 1 on day 0 is at the edge; the 1-day work run on day 1 is not.
    let ev = evaluate(&inst, &roster(&inst, &["-E--EE-"]));
    assert_eq!(ev.violations, vec![Violation::MinConsecutive { staff: 0, start: 1, len: 1, min: 2 }]);
    // All-off and all-work rows touch both edges.
    assert!(evaluate(&inst, &roster(&inst, &["-------"])).feasible());
}

#[test]
fn every_hard_rule_is_named() {
    let inst = tiny(&["A,E=2|L=7,1500,1000,3,1,1,0"], &["A,3"], &[], &[]);
    // L then E (forbidden), 4 in a row (max 3), E three times (max 2), day 3 fixed off,
    // 4 × 480 = 1920 > 1500 minutes, a weekend worked (max 0).
    let ev = evaluate(&inst, &roster(&inst, &["LEEE-E-"]));
    let mut names: Vec<_> = ev.violations.iter().map(|v| v.constraint()).collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "day_off",
            "forbidden_succession",
            "max_consecutive_shifts",
            "max_shifts_of_type",
            "max_total_minutes",
            "max_weekends"
        ]
    );
    let ev = evaluate(&inst, &roster(&inst, &["E------"]));
    assert_eq!(ev.violations.len(), 1);
    assert_eq!(ev.violations[0].constraint(), "min_total_minutes");
}

#[test]
fn instance1_parses_and_crlf_equals_lf() {
    let inst = load(1);
    assert_eq!((inst.days, inst.staff.len(), inst.shifts.len()), (14, 8, 1));
    assert_eq!(inst.staff[0].max_minutes, 4320);
    assert!(inst.staff[0].days_off[0]);
    assert_eq!(inst.on_requests.len(), 21);
    assert_eq!(inst.off_requests.len(), 5);
    assert_eq!(inst.cover_at(1, 0).requirement, 7);
    let text = std::fs::read_to_string(crate::common::bench_dir().join("Instance1.txt")).unwrap();
    assert!(text.contains("\r\n"), "the shipped files use CRLF");
    let lf = parse_instance("Instance1", &text.replace("\r\n", "\n")).unwrap();
    assert_eq!(lf, inst);
}

#[test]
fn all_24_instances_parse() {
    for n in 1..=24 {
        let inst = load(n);
        assert!(inst.days >= 14 && !inst.staff.is_empty(), "Instance{n}");
    }
    let big = load(24);
    assert_eq!((big.days, big.staff.len(), big.shifts.len()), (364, 150, 32));
}

#[test]
fn parse_errors_name_the_line() {
    let err = parse_instance("x", "SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,abc,\n").unwrap_err();
    assert!(err.to_string().contains("line 5"), "{err}");
}
