//! The CLI through `run_to`, as a duty officer would use it.

use crate::common::bench_dir;
use bastion_roster::cli::{run_to, RosterCmd, SearchArgs};
use std::path::PathBuf;

fn search(iterations: u64) -> SearchArgs {
    SearchArgs { seconds: 10.0, seed: 1, threads: 2, iterations: Some(iterations) }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bastion-roster-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(cmd: RosterCmd) -> String {
    let mut buf = Vec::new();
    run_to(cmd, &mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

#[test]
fn solve_writes_roster_and_repair_reads_it() {
    let dir = temp_dir("solve");
    let out = dir.join("r.csv");
    let file = bench_dir().join("Instance1.txt");
    let text =
        run(RosterCmd::Solve { file: file.clone(), search: search(500_000), json: false, out: Some(out.clone()) });
    assert!(text.starts_with("Instance1\tobjective "), "{text}");
    assert!(text.contains("best known 607"), "{text}");
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(csv.lines().count(), 1 + 8);
    assert!(csv.starts_with("staff,0,1,"));

    let text = run(RosterCmd::Repair {
        file,
        roster: out,
        absent: vec!["A:3-5".into()],
        request: vec![],
        max_changes: None,
        change_weight: 30,
        search: search(100_000),
        json: true,
        out: None,
    });
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert!(v["objective"].as_i64().unwrap() > 0);
    assert!(v["changes"].is_array());
}

#[test]
fn bench_prints_one_line_per_instance_with_gap() {
    let dir = temp_dir("bench");
    for n in [1, 2] {
        let name = format!("Instance{n}.txt");
        std::fs::copy(bench_dir().join(&name), dir.join(&name)).unwrap();
    }
    let text = run(RosterCmd::Bench { dir, search: search(300_000), json: false });
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "instance\tobjective\tbest\tgap%\tseconds");
    assert_eq!(lines.len(), 3);
    let cols: Vec<&str> = lines[2].split('\t').collect();
    assert_eq!(cols[0], "Instance2");
    assert_eq!(cols[2], "828");
    let obj: i64 = cols[1].parse().unwrap();
    let gap: f64 = cols[3].parse().unwrap();
    assert!((gap - 100.0 * (obj - 828) as f64 / 828.0).abs() < 0.01);
}

#[test]
fn bad_absence_and_missing_file_fail_clearly() {
    let err = run_to(
        RosterCmd::Solve { file: "/nonexistent/InstanceX.txt".into(), search: search(10), json: false, out: None },
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(format!("{err:#}").contains("cannot read"), "{err:#}");
    let inst =
        bastion_roster::parse_instance("x", &std::fs::read_to_string(bench_dir().join("Instance1.txt")).unwrap())
            .unwrap();
    assert!(bastion_roster::cli::parse_absence(&inst, "A:3-99").is_err());
    assert!(bastion_roster::cli::parse_absence(&inst, "Z:3").is_err());
    let a = bastion_roster::cli::parse_absence(&inst, "B:1,4-5").unwrap();
    assert_eq!((a.staff, a.days), (1, vec![1, 4, 5]));
}

#[test]
fn bureau_command_reports_feasibility_and_fairness() {
    let text =
        run(RosterCmd::Bureau { bureau_seed: 1, carry_over: false, search: search(1_000_000), json: true, out: None });
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(v["staff"], 956);
    assert_eq!(v["feasible"], true, "{v}");
    assert!(v["fairness"][0]["nights"]["gini"].as_f64().is_some());
}

#[test]
fn explain_names_the_cover_and_prices_the_alternatives() {
    let dir = temp_dir("explain");
    let file = dir.join("tiny.txt");
    std::fs::write(
        &file,
        "SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nE,480,\nL,480,E\n\nSECTION_STAFF\n\
         A,E=7|L=7,2880,960,3,2,2,1\nB,E=7|L=0,2880,0,5,1,1,2\n\nSECTION_DAYS_OFF\nA,6\n\n\
         SECTION_SHIFT_ON_REQUESTS\n\nSECTION_SHIFT_OFF_REQUESTS\nA,2,L,4\n\nSECTION_COVER\n\
         0,E,1,100,1\n0,L,1,100,1\n1,E,1,100,1\n1,L,1,100,1\n2,E,1,100,1\n2,L,1,100,1\n\
         3,E,1,100,1\n3,L,1,100,1\n4,E,1,100,1\n4,L,1,100,1\n5,E,1,100,1\n5,L,1,100,1\n\
         6,E,1,100,1\n6,L,1,100,1\n",
    )
    .unwrap();
    let roster = dir.join("r.csv");
    std::fs::write(&roster, "staff,0,1,2,3,4,5,6\nA,E,E,L,,,,\nB,E,,,E,E,,\n").unwrap();
    let cmd = |json| RosterCmd::Explain { file: file.clone(), roster: roster.clone(), staff: "A".into(), day: 2, json };
    let text = run(cmd(false));
    assert!(text.starts_with("A day 2: L\n"), "{text}");
    assert!(text.contains("cover\tL\tneeds 1\trostered 1\tneeded: without them it falls short"), "{text}");
    assert!(text.contains("request\toff L\tweight 4\tnot granted"), "{text}");
    assert!(text.contains("if -\tobjective +96\t"), "{text}");
    assert!(text.contains("if E\tobjective -4\t"), "{text}");
    let v: serde_json::Value = serde_json::from_str(run(cmd(true)).trim()).unwrap();
    assert_eq!(v["alternatives"].as_array().unwrap().len(), 2);
    let mut buf = Vec::new();
    let err =
        run_to(RosterCmd::Explain { file, roster, staff: "Z".into(), day: 2, json: false }, &mut buf).unwrap_err();
    assert!(err.to_string().contains("unknown staff"), "{err}");
}

#[test]
fn contradictory_instances_are_refused_with_the_conflict_named() {
    let dir = temp_dir("contradiction");
    let file = dir.join("bad.txt");
    // A: at least 3000 minutes asked, 2880 allowed. B: days 0-5 fixed off, at most one 480-minute
    // shift left, 960 asked. L: cover asked on day 3, nobody may work L.
    std::fs::write(
        &file,
        "SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nE,480,\nL,480,\n\nSECTION_STAFF\n\
         A,E=7|L=0,2880,3000,7,1,1,2\nB,E=7|L=0,2880,960,7,1,1,2\n\nSECTION_DAYS_OFF\nB,0,1,2,3,4,5\n\n\
         SECTION_COVER\n0,E,1,100,1\n3,L,2,100,1\n",
    )
    .unwrap();
    let mut buf = Vec::new();
    let err = run_to(RosterCmd::Solve { file, search: search(1000), json: false, out: None }, &mut buf).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("staff A: minimum total minutes 3000 above the maximum 2880"), "{msg}");
    assert!(msg.contains("staff B: minimum total minutes 960 out of reach (at most 480 in the 1 days"), "{msg}");
    assert!(msg.contains("shift L: cover asked on 1 days (2 people in all) but no one may work it"), "{msg}");
}

#[test]
fn the_benchmark_and_the_bureau_have_no_contradictions() {
    for n in 1..=24 {
        assert_eq!(crate::common::load(n).contradictions(), vec![], "Instance{n}");
    }
    let bureau = bastion_roster::bureau::to_instance(&bastion_roster::bureau::reference_bureau(1));
    assert_eq!(bureau.contradictions(), vec![]);
}

#[test]
fn repair_reports_the_changes_and_holds_the_bound() {
    let dir = temp_dir("repair-bound");
    let file = dir.join("three.txt");
    std::fs::write(
        &file,
        "SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\n\
         A,D=7,9999,0,7,1,1,2\nB,D=7,9999,0,7,1,1,2\nC,D=7,9999,0,7,1,1,2\n\nSECTION_COVER\n\
         0,D,1,100,1\n1,D,1,100,1\n2,D,1,100,1\n3,D,1,100,1\n4,D,1,100,1\n5,D,1,100,1\n6,D,1,100,1\n",
    )
    .unwrap();
    let roster = dir.join("r.csv");
    std::fs::write(&roster, "staff,0,1,2,3,4,5,6\nA,D,D,D,,,,\nB,,,,D,D,D,D\nC,,,,,,,\n").unwrap();
    let cmd = |absent: Vec<String>, request: Vec<String>, max_changes| RosterCmd::Repair {
        file: file.clone(),
        roster: roster.clone(),
        absent,
        request,
        max_changes,
        change_weight: 30,
        search: search(20_000),
        json: false,
        out: None,
    };
    let text = run(cmd(vec!["A:0-2".into()], vec![], Some(2)));
    assert!(text.starts_with("repaired\tobjective 100\tremoved 3\tchanged 2\tbound 2\t"), "{text}");
    assert_eq!(text.lines().filter(|l| l.starts_with("changed\t")).count(), 2, "{text}");
    let text = run(cmd(vec![], vec!["C:5:D:50".into()], None));
    assert!(text.starts_with("repaired\tobjective 1\tremoved 0\tchanged 1\tbound none\t"), "{text}");
    assert!(text.contains("changed\tC day 5: - -> D"), "{text}");
    let err = run_to(cmd(vec![], vec![], None), &mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("nothing to repair"), "{err}");
    let err = run_to(cmd(vec![], vec!["C:9:D".into()], None), &mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("day 9 outside 0..7"), "{err}");
}
