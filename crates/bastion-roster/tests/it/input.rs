//! Bad input: malformed files name the line, contradictory instances name the conflict, and
//! neither ever panics or yields a roster.

use crate::common::{bench_dir, load};
use bastion_roster::model::Contradiction;
use bastion_roster::{load_instance, parse_instance, solve, InputError, InstanceError, SolveError, SolveOptions};
use proptest::prelude::*;

const TINY: &str = "SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\n\
    A,D=7,9999,0,7,1,1,2\nB,D=7,9999,0,7,1,1,2\n\nSECTION_DAYS_OFF\nA,0\n\n\
    SECTION_SHIFT_ON_REQUESTS\nB,2,D,3\n\nSECTION_SHIFT_OFF_REQUESTS\n\nSECTION_COVER\n0,D,1,100,1\n1,D,1,100,1\n";

fn budget(iters: u64) -> SolveOptions {
    SolveOptions { seed: 1, threads: 1, seconds: None, max_iters: Some(iters), ..Default::default() }
}

/// `TINY` with `from` replaced by `to` (which must occur), then parsed.
fn parse_edited(from: &str, to: &str) -> String {
    assert!(TINY.contains(from), "{from:?} not in the fixture");
    match parse_instance("tiny", &TINY.replacen(from, to, 1)) {
        Ok(_) => panic!("{from:?} -> {to:?} was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_fixture_itself_is_fine() {
    let inst = load_instance("tiny", TINY).unwrap();
    assert_eq!((inst.days, inst.staff.len()), (7, 2));
}

#[test]
fn malformed_files_name_the_line() {
    // (edit, expected words); line numbers are those of TINY after the edit.
    let cases = [
        ("SECTION_COVER", "SECTION_COVERS", "line 19: unknown section \"SECTION_COVERS\""),
        ("SECTION_HORIZON\n", "x\nSECTION_HORIZON\n", "line 1: data before the first SECTION_ line"),
        ("\n7\n", "\n99999\n", "line 2: horizon must be 1 to 3660 days, got 99999"),
        ("D,480,", "D,4x0,", "line 5: bad shift length: \"4x0\""),
        ("D,480,", "D,480,\nD,600,", "line 6: shift \"D\" already defined on line 5"),
        ("D,480,", "D,2000,", "line 5: shift length 2000 above the limit 1440"),
        ("B,D=7,9999", "A,D=7,9999", "line 9: employee \"A\" already defined on line 8"),
        ("A,D=7,", "A,N=7,", "line 8: unknown shift \"N\""),
        ("A,D=7,9999,0,7,1,1,2", "A,D=7,9999,0,7", "line 8: staff line needs 8 fields"),
        ("A,0\n", "A,7\n", "line 12: day 7 outside horizon of 7"),
        ("A,0\n", "Z,0\n", "line 12: unknown employee \"Z\""),
        ("B,2,D,3", "B,2,D,3000000", "line 15: weight 3000000 above the limit 1000000"),
        ("0,D,1,100,1", "0,D,-2,100,1", "line 20: negative requirement: \"-2\""),
        ("0,D,1,100,1", "0,D,1,100", "line 20: cover needs Day, ShiftID, Requirement, Under, Over"),
        (
            "SECTION_STAFF\nA,D=7,9999,0,7,1,1,2\nB,D=7,9999,0,7,1,1,2\n",
            "SECTION_STAFF\n",
            "missing section SECTION_STAFF",
        ),
    ];
    for (from, to, want) in cases {
        let msg = parse_edited(from, to);
        assert!(msg.contains(want), "{from:?} -> {to:?}: {msg}");
    }
}

#[test]
fn contradictions_are_refused_by_the_library_with_the_conflict_named() {
    // B is fixed off every day but must work 480 minutes; shift D is asked on day 0, where A
    // (the only other person) is fixed off.
    let text =
        TINY.replace("B,D=7,9999,0,7,1,1,2", "B,D=7,9999,480,7,1,1,2").replace("A,0\n", "A,0\nB,0,1,2,3,4,5,6\n");
    let err = load_instance("bad", &text).unwrap_err();
    let InputError::Instance(InstanceError::Contradictions(c)) = &err else { panic!("{err:?}") };
    assert!(
        c.contains(&Contradiction::MinutesOutOfReach {
            staff: "B".into(),
            min: 480,
            reachable: 0,
            available_days: 0,
            workable_days: 0
        }),
        "{c:?}"
    );
    assert!(c.contains(&Contradiction::CoverNoOneAvailable { shift: "D".into(), days: vec![0] }), "{c:?}");
    let msg = err.to_string();
    assert!(msg.contains("staff B: minimum total minutes 480 out of reach"), "{msg}");
    assert!(msg.contains("shift D: cover asked on day(s) [0] when everyone who may work it has a fixed day off"));
    // The solver refuses it too, with the same typed error, before searching.
    let inst = parse_instance("bad", &text).unwrap();
    match solve(&inst, &budget(1000)) {
        Err(SolveError::Instance(InstanceError::Contradictions(c2))) => assert_eq!(&c2, c),
        other => panic!("{:?}", other.map(|o| o.evaluation.objective)),
    }
}

#[test]
fn run_and_weekend_limits_bound_the_reachable_minutes() {
    // At most 2 consecutive shifts, no weekend: at most Mon Tue, Thu Fri = 4 of 7 days (1920
    // minutes); 2000 asked is out of reach, 1920 is not.
    let text = TINY.replace("B,D=7,9999,0,7,1,1,2", "B,D=7,9999,2000,2,1,1,0");
    let inst = parse_instance("runs", &text).unwrap();
    assert_eq!(inst.workable_days(1), 4);
    assert_eq!(inst.reachable_minutes(1), 1920);
    assert!(matches!(
        inst.contradictions().as_slice(),
        [Contradiction::MinutesOutOfReach { workable_days: 4, reachable: 1920, .. }]
    ));
    let ok = parse_instance("runs", &TINY.replace("B,D=7,9999,0,7,1,1,2", "B,D=7,9999,1920,2,1,1,0")).unwrap();
    assert_eq!(ok.contradictions(), vec![]);
    let out = solve(&ok, &budget(20_000)).unwrap();
    assert_eq!(out.roster.rows[1].iter().flatten().count(), 4);
}

#[test]
fn the_bureau_refuses_a_day_without_leaders_or_party_members() {
    let b = bastion_roster::bureau::reference_bureau(1);
    let mut inst = bastion_roster::bureau::to_instance(&b);
    let lead = inst.shift_index("LEAD").unwrap();
    let k1d = inst.shift_index("K1D").unwrap();
    let party = &inst.groups[0].members.clone();
    for (e, p) in inst.staff.iter_mut().enumerate() {
        if p.max_shifts[lead] > 0 {
            p.days_off[5] = true;
        }
        if p.max_shifts[k1d] > 0 && party[e] {
            p.days_off[2] = true;
        }
    }
    let c = inst.contradictions();
    assert!(c.contains(&Contradiction::CoverNoOneAvailable { shift: "LEAD".into(), days: vec![5] }), "{c:?}");
    assert!(
        c.iter().any(|x| matches!(x, Contradiction::GroupCoverOutOfReach { day: 2, min: 1, available: 0, shifts, .. }
            if shifts == &vec!["K1D".to_string()])),
        "{c:?}"
    );
}

#[test]
fn malformed_instances_built_in_code_are_refused_not_panicked_on() {
    let mut inst = load(1);
    inst.staff[3].max_shifts.push(4);
    assert!(matches!(solve(&inst, &budget(100)), Err(SolveError::Instance(InstanceError::Invalid(_)))));
    let mut inst = load(1);
    inst.on_requests[0].day = 99;
    assert!(matches!(solve(&inst, &budget(100)), Err(SolveError::Instance(InstanceError::Invalid(_)))));
    let mut inst = load(1);
    inst.cover.pop();
    let err = solve(&inst, &budget(100)).unwrap_err();
    assert!(err.to_string().contains("cover entries"), "{err}");
}

/// One random edit of a benchmark file: delete, duplicate or overwrite a span of bytes.
fn mutated() -> impl Strategy<Value = String> {
    let text = std::fs::read_to_string(bench_dir().join("Instance1.txt")).unwrap();
    let n = text.len();
    (0..n, 0usize..40, 0u8..3, "[-0-9A-Z,|=\n#_]{0,12}").prop_map(move |(at, len, kind, junk)| {
        let end = (at + len).min(n);
        let (a, b) = (text.get(..at), text.get(end..));
        let (Some(a), Some(b)) = (a, b) else { return text.clone() };
        match kind {
            0 => format!("{a}{b}"),
            1 => format!("{a}{}{}", &text[at..end], &text[at..]),
            _ => format!("{a}{junk}{b}"),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A damaged file is refused with a typed error or accepted; an accepted one is solved or
    /// refused as infeasible, never panicked on, and a returned roster passes the referee.
    #[test]
    fn damaged_files_never_panic_or_yield_a_wrong_roster(text in mutated()) {
        match load_instance("damaged", &text) {
            Err(e) => prop_assert!(!e.to_string().is_empty()),
            Ok(inst) => match solve(&inst, &budget(3_000)) {
                Ok(out) => prop_assert!(bastion_roster::evaluate(&inst, &out.roster).feasible()),
                Err(e) => prop_assert!(matches!(e, SolveError::Infeasible { .. }), "{e}"),
            },
        }
    }
}
