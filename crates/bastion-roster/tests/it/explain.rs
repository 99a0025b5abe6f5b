//! Explaining a cell: hand-checked reasons and prices, and every price equal to the difference
//! of two full evaluations.

use crate::common::{load, roster, tiny};
use bastion_roster::bureau::{self, reference_bureau};
use bastion_roster::explain::ExplainError;
use bastion_roster::{evaluate, explain, Instance, Roster, Violation};

fn hand_instance() -> Instance {
    tiny(
        &["A,E=7|L=7,2880,960,3,2,2,1", "B,E=7|L=0,2880,0,5,1,1,2"],
        &["A,6", "B"],
        &["A,0,E,2", "B,3,E,3"],
        &["A,2,L,4", "B,5,E,1"],
    )
}

#[test]
fn a_needed_shift_against_an_off_request_is_explained_and_priced() {
    let inst = hand_instance();
    let r = roster(&inst, &["EEL----", "E--EE--"]);
    let (e, l) = (inst.shift_index("E").unwrap(), inst.shift_index("L").unwrap());
    let x = explain(&inst, &r, 0, 2).unwrap();
    assert_eq!(x.value, Some(l));
    assert!(!x.fixed_day_off);
    // A is the only one on L that day: without them the late shift is uncovered.
    let late = x.cover.iter().find(|c| c.shift == l).unwrap();
    assert_eq!((late.requirement, late.assigned, late.needs_them()), (1, 1, true));
    let early = x.cover.iter().find(|c| c.shift == e).unwrap();
    assert_eq!((early.requirement, early.assigned), (1, 0));
    // A asked not to work L that day (weight 4), and the roster does not grant it.
    assert_eq!(x.requests.len(), 1);
    assert!(!x.requests[0].on && !x.requests[0].granted && x.requests[0].weight == 4);
    // A day off: the off-request is granted (−4) but L is uncovered (+100).
    let off = x.alternatives.iter().find(|a| a.value.is_none()).unwrap();
    assert_eq!((off.objective_delta, off.off_requests_delta, off.under_delta), (96, -4, 100));
    assert!(off.allowed());
    // E instead: E gets covered, L loses its cover, the off-request is granted: −4 in all.
    let early = x.alternatives.iter().find(|a| a.value == Some(e)).unwrap();
    assert_eq!((early.objective_delta, early.under_delta, early.off_requests_delta), (-4, 0, -4));
    assert_eq!(x.alternatives.len(), 2);
}

#[test]
fn surplus_cover_and_a_fixed_day_off_are_explained() {
    let inst = hand_instance();
    let r = roster(&inst, &["EEL----", "E--EE--"]);
    // B is the second person on E on day 0: not needed there, and off saves the over-cover.
    let x = explain(&inst, &r, 1, 0).unwrap();
    let early = x.cover.iter().find(|c| Some(c.shift) == x.value).unwrap();
    assert_eq!((early.requirement, early.assigned, early.needs_them()), (1, 2, false));
    // B may only work E, so a day off is the one alternative.
    assert_eq!(x.alternatives.len(), 1);
    assert_eq!((x.alternatives[0].value, x.alternatives[0].objective_delta), (None, -1));
    // A is off on day 6 by contract: any shift there breaks the fixed day off.
    let x = explain(&inst, &r, 0, 6).unwrap();
    assert!(x.fixed_day_off);
    assert_eq!(x.alternatives.len(), 2);
    for a in &x.alternatives {
        assert_eq!(a.breaks, vec![Violation::DayOff { staff: 0, day: 6 }]);
        assert_eq!(a.under_delta, -100, "the shift is uncovered that day");
    }
}

#[test]
fn out_of_range_cells_and_wrong_rosters_are_refused() {
    let inst = hand_instance();
    let r = roster(&inst, &["EEL----", "E--EE--"]);
    assert_eq!(explain(&inst, &r, 2, 0), Err(ExplainError::NoStaff(2)));
    assert_eq!(explain(&inst, &r, 0, 7), Err(ExplainError::NoDay(7)));
    let short = Roster { rows: vec![vec![None; 6], vec![None; 7]] };
    assert!(matches!(explain(&inst, &short, 0, 0), Err(ExplainError::Shape(_))));
}

/// A deterministic, mostly infeasible roster: each cell one of the person's eligible values or off.
fn scrambled(inst: &Instance, seed: u64) -> Roster {
    let mut x = seed;
    let mut next = |n: usize| {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((x >> 33) % n as u64) as usize
    };
    let rows = inst
        .staff
        .iter()
        .map(|p| {
            let elig: Vec<usize> = (0..inst.shifts.len()).filter(|&s| p.max_shifts[s] > 0).collect();
            (0..inst.days)
                .map(|_| {
                    let k = next(elig.len() + 2);
                    elig.get(k).copied()
                })
                .collect()
        })
        .collect();
    Roster { rows }
}

/// Every alternative's prices and rule changes equal those of two full evaluations.
fn assert_matches_full_evaluation(inst: &Instance, r: &Roster, cells: &[(usize, usize)]) {
    let before = evaluate(inst, r);
    for &(e, d) in cells {
        let x = explain(inst, r, e, d).unwrap();
        for a in &x.alternatives {
            let mut changed = r.clone();
            changed.rows[e][d] = a.value;
            let after = evaluate(inst, &changed);
            assert_eq!(a.objective_delta, after.objective - before.objective, "cell ({e}, {d}) → {:?}", a.value);
            assert_eq!(a.under_delta, after.under - before.under);
            assert_eq!(a.over_delta, after.over - before.over);
            assert_eq!(a.on_requests_delta, after.on_requests - before.on_requests);
            assert_eq!(a.off_requests_delta, after.off_requests - before.off_requests);
            assert_eq!(a.group_under_delta, after.group_under - before.group_under);
            assert_eq!(a.fairness_delta, after.fairness - before.fairness);
            let breaks: Vec<_> = after.violations.iter().filter(|v| !before.violations.contains(v)).cloned().collect();
            let mends: Vec<_> = before.violations.iter().filter(|v| !after.violations.contains(v)).cloned().collect();
            assert_eq!(a.breaks, breaks, "cell ({e}, {d}) → {:?}", a.value);
            assert_eq!(a.mends, mends, "cell ({e}, {d}) → {:?}", a.value);
        }
    }
}

#[test]
fn prices_equal_full_evaluations_on_benchmark_instances() {
    // Debug builds evaluate slowly: a sample of cells, every alternative of each.
    for (n, count) in [(1, 112), (3, 40), (13, 12)] {
        let inst = load(n);
        let r = scrambled(&inst, n as u64);
        let cells: Vec<_> = (0..inst.staff.len()).flat_map(|e| (0..inst.days).map(move |d| (e, d))).collect();
        let step = (cells.len() / count).max(1);
        let sample: Vec<_> = cells.into_iter().step_by(step).collect();
        assert_matches_full_evaluation(&inst, &r, &sample);
    }
}

#[test]
fn prices_equal_full_evaluations_on_the_reference_bureau() {
    // Group covers (skills, party members, the leader) and fairness are only in the bureau.
    let inst = bureau::to_instance(&reference_bureau(1));
    let r = scrambled(&inst, 7);
    let cells: Vec<_> = (0..6).map(|k| (k * 157 % inst.staff.len(), k * 5 % inst.days)).collect();
    assert_matches_full_evaluation(&inst, &r, &cells);
    let grouped = cells.iter().filter(|&&(e, d)| !explain(&inst, &r, e, d).unwrap().groups.is_empty()).count();
    assert!(grouped > 0, "some of these people count toward a group cover (party members, skills)");
}
