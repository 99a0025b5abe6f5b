//! Property tests on small random instances: the solver never returns a roster the referee
//! rejects, its own cost agrees with the referee, and a seed with an iteration budget is
//! reproducible.

use bastion_roster::model::{AnyRequest, Cover, Instance, Request, ShiftType, Staff};
use bastion_roster::repair::{repair, Absence};
use bastion_roster::{evaluate, solve, InstanceError, SolveError, SolveOptions};
use proptest::prelude::*;

fn instance() -> impl Strategy<Value = Instance> {
    (7usize..=14, 1usize..=3, 2usize..=6)
        .prop_flat_map(|(days, s_n, e_n)| {
            let shifts = prop::collection::vec(
                (prop::sample::select(vec![240u32, 480, 600]), prop::collection::vec(any::<bool>(), s_n)),
                s_n,
            );
            let staff = prop::collection::vec(
                (
                    prop::collection::vec(0u32..=14, s_n),
                    0u32..=3000,
                    1u32..=6,
                    1u32..=3,
                    1u32..=3,
                    0u32..=2,
                    prop::collection::vec(prop::bool::weighted(0.15), days),
                ),
                e_n,
            );
            let cover = prop::collection::vec((0u32..=3, 1u32..=100, 0u32..=5), days * s_n);
            let reqs = prop::collection::vec((0..e_n, 0..days, 0..s_n, 1u32..=5, any::<bool>()), 0..10);
            (Just((days, s_n, e_n)), shifts, staff, cover, reqs)
        })
        .prop_map(|((days, s_n, _), shifts, staff, cover, reqs)| Instance {
            name: "prop".into(),
            days,
            shifts: shifts
                .into_iter()
                .enumerate()
                .map(|(i, (minutes, forbid))| ShiftType {
                    id: format!("S{i}"),
                    minutes,
                    forbidden_next: (0..s_n).filter(|&j| forbid[j] && j != i).collect(),
                })
                .collect(),
            staff: staff
                .into_iter()
                .enumerate()
                .map(|(i, (max_shifts, min_minutes, max_c, min_c, min_off, max_w, off))| Staff {
                    id: format!("P{i}"),
                    max_shifts,
                    max_minutes: min_minutes + 2400,
                    min_minutes: min_minutes / 2,
                    max_consecutive: max_c.max(min_c),
                    min_consecutive: min_c,
                    min_days_off: min_off,
                    max_weekends: max_w,
                    // Some fixed days off are excused absences: edge-like for the minimums.
                    excused: off.iter().enumerate().map(|(d, &o)| o && d % 2 == 0).collect(),
                    days_off: off,
                })
                .collect(),
            // Odd weights ask for one shift; even ones for either of two (a volunteered day).
            on_requests: reqs
                .iter()
                .filter(|r| r.4 && r.3 % 2 == 1)
                .map(|r| Request { staff: r.0, day: r.1, shift: r.2, weight: r.3 })
                .collect(),
            on_any_requests: reqs
                .iter()
                .filter(|r| r.4 && r.3 % 2 == 0)
                .map(|r| AnyRequest { staff: r.0, day: r.1, shifts: vec![r.2, (r.2 + 1) % s_n], weight: r.3 })
                .collect(),
            off_requests: reqs
                .iter()
                .filter(|r| !r.4)
                .map(|r| Request { staff: r.0, day: r.1, shift: r.2, weight: r.3 })
                .collect(),
            cover: cover
                .into_iter()
                .map(|(requirement, weight_under, weight_over)| Cover { requirement, weight_under, weight_over })
                .collect(),
            groups: Vec::new(),
            group_covers: Vec::new(),
            fairness: None,
        })
}

fn opts(seed: u64, threads: usize) -> SolveOptions {
    SolveOptions { seed, threads, seconds: None, max_iters: Some(20_000), ..Default::default() }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn returned_rosters_pass_the_referee(inst in instance(), seed in 0u64..1000) {
        match solve(&inst, &opts(seed, 2)) {
            Ok(out) => {
                let ev = evaluate(&inst, &out.roster);
                prop_assert!(ev.feasible(), "{:?}", ev.violations);
                prop_assert_eq!(ev.objective, out.search_cost);
                prop_assert_eq!(ev, out.evaluation);
                prop_assert!(inst.contradictions().is_empty());
                // The bounds behind the contradiction checks hold for every feasible row.
                for e in 0..inst.staff.len() {
                    let row = &out.roster.rows[e];
                    let days = row.iter().flatten().count();
                    let minutes: u64 = row.iter().flatten().map(|&s| u64::from(inst.shifts[s].minutes)).sum();
                    prop_assert!(days <= inst.workable_days(e), "person {e}: {days} days");
                    prop_assert!(minutes <= inst.reachable_minutes(e), "person {e}: {minutes} minutes");
                }
            }
            // Refused before searching: exactly the contradictions the instance has.
            Err(SolveError::Instance(InstanceError::Contradictions(c))) => {
                prop_assert!(!c.is_empty());
                prop_assert_eq!(c, inst.contradictions());
            }
            // Random contracts can be unsatisfiable; the error must then name a constraint.
            Err(SolveError::Infeasible { constraint, .. }) => prop_assert!(!constraint.is_empty()),
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }

    /// The contradiction checks' bounds are sound: any row that breaks none of a person's hard
    /// rules stays within the days and minutes they say the person can work at most.
    #[test]
    fn workable_bounds_hold_for_every_feasible_row(
        inst in instance(),
        cells in prop::collection::vec(0u32..10, 6 * 14),
    ) {
        for e in 0..inst.staff.len() {
            let p = &inst.staff[e];
            let elig: Vec<usize> = (0..inst.shifts.len()).filter(|&s| p.max_shifts[s] > 0).collect();
            // Work on about 60 % of days, on an eligible shift.
            let row: Vec<Option<usize>> = (0..inst.days)
                .map(|d| {
                    let c = cells[(e * 14 + d) % cells.len()];
                    (c < 6 && !elig.is_empty()).then(|| elig[c as usize % elig.len()])
                })
                .collect();
            let mut v = Vec::new();
            bastion_roster::eval::check_person(&inst, e, &row, &mut v);
            if v.is_empty() {
                let days = row.iter().flatten().count();
                let minutes: u64 = row.iter().flatten().map(|&s| u64::from(inst.shifts[s].minutes)).sum();
                prop_assert!(days <= inst.workable_days(e));
                prop_assert!(minutes <= inst.reachable_minutes(e));
            }
        }
    }

    #[test]
    fn same_seed_same_roster(inst in instance(), seed in 0u64..1000, threads in 1usize..=3) {
        let a = solve(&inst, &opts(seed, threads)).map(|o| o.roster).map_err(|e| e.to_string());
        let b = solve(&inst, &opts(seed, threads)).map(|o| o.roster).map_err(|e| e.to_string());
        prop_assert_eq!(a, b);
    }

    #[test]
    fn repair_without_a_lost_shift_changes_nothing(inst in instance(), seed in 0u64..1000, who in 0usize..6) {
        if let Ok(out) = solve(&inst, &opts(seed, 1)) {
            let e = who % inst.staff.len();
            let idle: Vec<usize> = (0..inst.days).filter(|&d| out.roster.get(e, d).is_none()).collect();
            let r = repair(&inst, &out.roster, &[Absence { staff: e, days: idle }], &opts(seed, 1), 30);
            let r = r.map_err(|e| e.to_string());
            prop_assert!(r.is_ok(), "{:?}", r.as_ref().err());
            if let Ok(r) = r {
                prop_assert!(r.changes.is_empty());
                prop_assert_eq!(r.roster, out.roster);
            }
        }
    }
}
