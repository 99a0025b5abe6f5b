//! The reference bureau: its size, its rules, and a feasible fair roster.

use bastion_roster::bureau::{self, gini, reference_bureau, Home};
use bastion_roster::{evaluate, solve, SolveOptions};

#[test]
fn reference_bureau_has_the_documented_shape() {
    let b = reference_bureau(1);
    assert_eq!(b.officers.len(), 956);
    assert_eq!(b.days, 28);
    let teams = b.officers.iter().filter(|o| matches!(o.home, Home::Team(_))).count();
    assert_eq!(teams, 116);
    let inst = bureau::to_instance(&b);
    // 5 checkpoints × 3 shifts, HQ × 3, the leader on duty, 6 patrols × 2.
    assert_eq!(inst.shifts.len(), 15 + 3 + 1 + 12);
    assert_eq!(inst.staff.len(), 956);
    // Leaders only can take the leader shift; unprotected people never a checkpoint shift.
    let lead = inst.shift_index("LEAD").unwrap();
    let k1n = inst.shift_index("K1N").unwrap();
    for (o, p) in b.officers.iter().zip(&inst.staff) {
        assert_eq!(p.max_shifts[lead] > 0, o.home == Home::Leader);
        if !o.protected {
            assert_eq!(p.max_shifts[k1n], 0);
        }
    }
    // An evening shift may not be followed by the next morning's (11 h rest).
    let k1e = inst.shift_index("K1E").unwrap();
    let k1d = inst.shift_index("K1D").unwrap();
    assert!(inst.shifts[k1e].forbidden_next.contains(&k1d));
}

#[test]
fn bureau_roster_is_feasible_and_fair() {
    let b = reference_bureau(1);
    let inst = bureau::to_instance(&b);
    let opts = SolveOptions { seed: 1, threads: 2, seconds: None, max_iters: Some(4_000_000), ..Default::default() };
    let out = solve(&inst, &opts).unwrap();
    let ev = evaluate(&inst, &out.roster);
    let check = bureau::check(&inst, &out.roster, &ev);
    assert!(check.ok(), "{check:?}");
    let lead = inst.shift_index("LEAD").unwrap();
    for d in 0..inst.days {
        let leaders = out.roster.rows.iter().filter(|r| r[d] == Some(lead)).count();
        assert_eq!(leaders, 1, "day {d}");
    }
    // Nobody away (quarantine, sickness, leave) is rostered.
    for (e, o) in b.officers.iter().enumerate() {
        for d in 0..inst.days {
            if o.status[d] != bureau::DutyStatus::OnDuty {
                assert_eq!(out.roster.get(e, d), None);
            }
        }
    }
    let fair = bureau::fairness(&b, &inst, &out.roster);
    let hq = fair.iter().find(|f| f.group == "hq").unwrap();
    assert!(hq.shifts.max_minus_min <= 3, "{hq:?}");
    let teams = fair.iter().find(|f| f.group == "assault teams").unwrap();
    assert!(teams.nights.max_minus_min <= 3, "{teams:?}");
    assert!(teams.nights.gini < 0.1, "{teams:?}");
}

#[test]
fn gini_of_even_and_concentrated_loads() {
    assert_eq!(gini(&[3, 3, 3, 3]), 0.0);
    assert!((gini(&[0, 0, 0, 4]) - 0.75).abs() < 1e-9);
}

#[test]
fn carried_over_counts_move_the_load_to_those_who_carried_less() {
    // Three people, one day shift a day for a week; A already worked 5 shifts last month.
    let mut inst = crate::common::tiny(
        &["A,E=7|L=0,9999,0,7,1,1,2", "B,E=7|L=0,9999,0,7,1,1,2", "C,E=7|L=0,9999,0,7,1,1,2"],
        &[],
        &[],
        &[],
    );
    for d in 0..7 {
        inst.cover[d * 2 + 1].requirement = 0;
    }
    inst.fairness = Some(bastion_roster::model::Fairness {
        night_shifts: vec![false, false],
        holidays: vec![false; 7],
        weight: 1,
        carry: Vec::new(),
    });
    let opts = SolveOptions { seed: 2, threads: 1, seconds: None, max_iters: Some(100_000), ..Default::default() };
    let shifts = |r: &bastion_roster::Roster, e: usize| r.rows[e].iter().flatten().count();
    let plain = solve(&inst, &opts).unwrap();
    assert_eq!(plain.evaluation.under, 0);
    // Even split 3/2/2 (the squares 9 + 4 + 4 plus the weekend terms).
    assert!(shifts(&plain.roster, 0) >= 2, "{:?}", plain.roster);
    let carried = bureau::with_carry(&inst, vec![[5, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
    let out = solve(&carried, &opts).unwrap();
    assert_eq!(out.evaluation.under, 0);
    assert_eq!(shifts(&out.roster, 0), 0, "A carried 5 shifts: {:?}", out.roster);
    assert_eq!(out.search_cost, out.evaluation.objective);
    // The window counts are what the next month would carry.
    let next = bureau::carry_over(&carried, &out.roster);
    assert_eq!(next[0][0], 5);
    assert_eq!(next[1][0] + next[2][0], 7);
}
