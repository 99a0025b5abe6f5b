//! The public benchmark's reference values (Curtois & Qu 2014, Instance1–24), for gap reports.

use std::path::{Path, PathBuf};

/// Best-known objective values (upper bounds) of Instance1..Instance24; 1 and 2 are optimal.
pub const BEST_KNOWN: [i64; 24] = [
    607, 828, 1001, 1716, 1143, 1950, 1056, 1300, 439, 4631, 3443, 4040, 1348, 1278, 3829, 3225, 5746, 4459, 3149,
    4769, 21133, 30241, 17428, 42463,
];

/// Best-known value for a file named `InstanceN.txt` (or instance name `InstanceN`).
pub fn best_known(name: &str) -> Option<i64> {
    let stem = Path::new(name).file_stem()?.to_str()?;
    let n: usize = stem.strip_prefix("Instance")?.parse().ok()?;
    BEST_KNOWN.get(n.checked_sub(1)?).copied()
}

/// The `InstanceN.txt` files of `dir`, ordered by N.
pub fn instance_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<(usize, PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let n = p.file_stem()?.to_str()?.strip_prefix("Instance")?.parse().ok()?;
            (p.extension()? == "txt").then_some((n, p))
        })
        .collect();
    files.sort();
    Ok(files.into_iter().map(|(_, p)| p).collect())
}

/// Gap to best known in percent (negative when better than the best known).
pub fn gap_percent(objective: i64, best: i64) -> f64 {
    if best == 0 {
        return 0.0;
    }
    100.0 * (objective - best) as f64 / best as f64
}
