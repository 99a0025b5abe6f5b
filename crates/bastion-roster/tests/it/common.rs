//! Shared helpers: the benchmark directory and small hand-made instances.

use bastion_roster::{parse_instance, Instance, Roster};
use std::path::PathBuf;

/// The benchmark instances: the repository's copy in `bench/roster/instances`, or the directory
/// named by `ROSTER_BENCH_DIR`; fails loudly (never skips) when they are missing.
pub fn bench_dir() -> PathBuf {
    let dir = match std::env::var_os("ROSTER_BENCH_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/roster/instances"),
    };
    assert!(
        dir.join("Instance1.txt").is_file(),
        "benchmark instances missing: expected {} (bench/roster/instances, or set ROSTER_BENCH_DIR)",
        dir.display()
    );
    dir
}

pub fn load(n: usize) -> Instance {
    let path = bench_dir().join(format!("Instance{n}.txt"));
    let text = std::fs::read_to_string(&path).unwrap();
    parse_instance(&format!("Instance{n}"), &text).unwrap()
}

/// A 7-day, two-shift (E early, L late; E may not follow L) instance with cover 1 on every
/// shift (under 100, over 1). `staff` lines are in the file format.
pub fn tiny(staff: &[&str], days_off: &[&str], on: &[&str], off: &[&str]) -> Instance {
    let mut t = String::from("SECTION_HORIZON\r\n7\r\n\r\nSECTION_SHIFTS\r\nE,480,\r\nL,480,E\r\n\r\n");
    t += "SECTION_STAFF\r\n";
    for s in staff {
        t += &format!("{s}\r\n");
    }
    t += "\r\nSECTION_DAYS_OFF\r\n";
    for s in days_off {
        t += &format!("{s}\r\n");
    }
    t += "\r\nSECTION_SHIFT_ON_REQUESTS\r\n";
    for s in on {
        t += &format!("{s}\r\n");
    }
    t += "\r\nSECTION_SHIFT_OFF_REQUESTS\r\n";
    for s in off {
        t += &format!("{s}\r\n");
    }
    t += "\r\nSECTION_COVER\r\n";
    for d in 0..7 {
        t += &format!("{d},E,1,100,1\r\n{d},L,1,100,1\r\n");
    }
    parse_instance("tiny", &t).unwrap()
}

/// Builds a roster from strings like "EEL----" (one char per day, '-' = off).
pub fn roster(inst: &Instance, rows: &[&str]) -> Roster {
    Roster {
        rows: rows
            .iter()
            .map(|r| r.chars().map(|c| (c != '-').then(|| inst.shift_index(&c.to_string()).unwrap())).collect())
            .collect(),
    }
}
