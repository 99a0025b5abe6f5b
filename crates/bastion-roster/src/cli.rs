//! `bastion roster …`: the only module of the crate that touches files.
//!
//! The main binary wires [`RosterCmd`] in as a subcommand and calls [`run`]; tests call
//! [`run_to`] with a buffer and read what a user would see.

use crate::bench::{best_known, gap_percent, instance_files};
use crate::bureau::{self, reference_bureau};
use crate::explain::{explain, CellExplanation};
use crate::model::Request;
use crate::model::{Instance, Roster};
use crate::parse::{parse_instance, roster_from_csv, roster_to_csv};
use crate::repair::{repair_with, resolve_stable, with_requests, Absence, RepairSettings, DEFAULT_CHANGE_WEIGHT};
use crate::search::{solve, SolveOptions};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, clap::Args)]
pub struct SearchArgs {
    /// Wall-clock limit in seconds (the search returns its best when it expires).
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Iterations per thread instead of a time limit: makes the result reproducible.
    #[arg(long)]
    pub iterations: Option<u64>,
}

impl SearchArgs {
    fn options(&self) -> SolveOptions {
        SolveOptions {
            seed: self.seed,
            threads: self.threads,
            seconds: if self.iterations.is_some() { None } else { Some(self.seconds) },
            max_iters: self.iterations,
            ..SolveOptions::default()
        }
    }
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum RosterCmd {
    /// Solve a Curtois–Qu instance; print the objective and write the roster (CSV).
    Solve {
        file: PathBuf,
        #[command(flatten)]
        search: SearchArgs,
        #[arg(long)]
        json: bool,
        /// Roster CSV to write; printed after the summary when omitted.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Solve every InstanceN.txt of DIR: instance, objective, best known, gap %, seconds.
    Bench {
        dir: PathBuf,
        #[command(flatten)]
        search: SearchArgs,
        #[arg(long)]
        json: bool,
    },
    /// Re-roster after absences or new requests, changing as few assignments as possible.
    Repair {
        /// The instance the roster was made for.
        file: PathBuf,
        /// The roster CSV to repair.
        roster: PathBuf,
        /// Newly unavailable: `STAFF:DAY`, `STAFF:FROM-TO` or `STAFF:D1,D2` (repeatable).
        #[arg(long = "absent")]
        absent: Vec<String>,
        /// A new on-request: `STAFF:DAY:SHIFT` or `STAFF:DAY:SHIFT:WEIGHT` (default weight 1).
        #[arg(long = "request")]
        request: Vec<String>,
        /// At most this many cells may change (besides the shifts the absences remove).
        #[arg(long)]
        max_changes: Option<usize>,
        /// Price of one changed cell in objective units (under-cover costs 100 a shift).
        #[arg(long, default_value_t = DEFAULT_CHANGE_WEIGHT)]
        change_weight: i64,
        #[command(flatten)]
        search: SearchArgs,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Why one person works (or is off) on one day of a roster, and what each other value of
    /// that cell would cost: the objective change by term and the hard rules broken or mended.
    Explain {
        /// The instance the roster was made for.
        file: PathBuf,
        /// The roster CSV.
        roster: PathBuf,
        /// Staff id, as in the instance file.
        #[arg(long)]
        staff: String,
        /// Day index (0 = the first day, a Monday).
        #[arg(long)]
        day: usize,
        #[arg(long)]
        json: bool,
    },
    /// Generate the reference bureau (956 staff, 28 days) and roster it.
    Bureau {
        #[arg(long, default_value_t = 1)]
        bureau_seed: u64,
        /// Roster two months: the reference bureau, then the next month without and with the
        /// first month's counts carried over; print the fairness over the two-month window.
        #[arg(long)]
        carry_over: bool,
        #[command(flatten)]
        search: SearchArgs,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs a command, printing to stdout.
pub fn run(cmd: RosterCmd) -> Result<()> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    run_to(cmd, &mut lock)
}

fn load(file: &Path) -> Result<Instance> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("读取算例失败 / cannot read {}", file.display()))?;
    let name = file.file_stem().and_then(|s| s.to_str()).unwrap_or("instance");
    Ok(parse_instance(name, &text)?)
}

/// Refuses a malformed instance or one no roster can satisfy, naming every contradiction,
/// before any search.
fn refuse_contradictions(inst: &Instance) -> Result<()> {
    inst.validate().map_err(|e| anyhow!("{}: {e}", inst.name))
}

fn write_roster(inst: &Instance, roster: &Roster, out: &Option<PathBuf>, w: &mut dyn Write) -> Result<()> {
    let csv = roster_to_csv(inst, roster);
    match out {
        Some(p) => std::fs::write(p, csv).with_context(|| format!("写入排班表失败 / cannot write {}", p.display()))?,
        None => w.write_all(csv.as_bytes())?,
    }
    Ok(())
}

/// Runs a command, writing what the user sees to `w`.
pub fn run_to(cmd: RosterCmd, w: &mut dyn Write) -> Result<()> {
    match cmd {
        RosterCmd::Solve { file, search, json, out } => {
            let inst = load(&file)?;
            refuse_contradictions(&inst)?;
            let res = solve(&inst, &search.options())?;
            let best = best_known(&inst.name);
            if json {
                let v = json!({
                    "instance": inst.name, "objective": res.evaluation.objective,
                    "best_known": best, "seconds": res.seconds, "iterations": res.iterations,
                    "evaluation": res.evaluation,
                });
                writeln!(w, "{v}")?;
            } else {
                writeln!(
                    w,
                    "{}\tobjective {}\tfeasible\tbest known {}\t{:.1} s",
                    inst.name,
                    res.evaluation.objective,
                    best.map_or("-".into(), |b| b.to_string()),
                    res.seconds
                )?;
            }
            if out.is_some() || !json {
                write_roster(&inst, &res.roster, &out, w)?;
            }
        }
        RosterCmd::Bench { dir, search, json } => {
            let files =
                instance_files(&dir).with_context(|| format!("读取目录失败 / cannot read {}", dir.display()))?;
            if files.is_empty() {
                bail!("no InstanceN.txt in {}", dir.display());
            }
            if !json {
                writeln!(w, "instance\tobjective\tbest\tgap%\tseconds")?;
            }
            for f in files {
                let inst = load(&f)?;
                refuse_contradictions(&inst)?;
                let best = best_known(&inst.name);
                let res = solve(&inst, &search.options());
                let (obj, secs) = match &res {
                    Ok(r) => (Some(r.evaluation.objective), r.seconds),
                    Err(_) => (None, search.seconds),
                };
                let gap = obj.zip(best).map(|(o, b)| gap_percent(o, b));
                if json {
                    let err = res.as_ref().err().map(|e| e.to_string());
                    let v = json!({"instance": inst.name, "objective": obj, "best_known": best,
                        "gap_percent": gap, "seconds": secs, "error": err});
                    writeln!(w, "{v}")?;
                } else {
                    writeln!(
                        w,
                        "{}\t{}\t{}\t{}\t{:.1}",
                        inst.name,
                        obj.map_or("INFEASIBLE".into(), |o| o.to_string()),
                        best.map_or("-".into(), |b| b.to_string()),
                        gap.map_or("-".into(), |g| format!("{g:.2}")),
                        secs
                    )?;
                }
            }
        }
        RosterCmd::Repair { file, roster, absent, request, max_changes, change_weight, search, json, out } => {
            let inst = load(&file)?;
            refuse_contradictions(&inst)?;
            let text = std::fs::read_to_string(&roster)
                .with_context(|| format!("读取排班表失败 / cannot read {}", roster.display()))?;
            let current = roster_from_csv(&inst, &text)?;
            if absent.is_empty() && request.is_empty() {
                bail!("nothing to repair: give --absent STAFF:DAYS and/or --request STAFF:DAY:SHIFT");
            }
            let absences = absent.iter().map(|a| parse_absence(&inst, a)).collect::<Result<Vec<_>>>()?;
            let requests = request.iter().map(|r| parse_request(&inst, r)).collect::<Result<Vec<_>>>()?;
            let settings = RepairSettings { change_weight, max_changes, ..RepairSettings::default() };
            let opts = search.options();
            let res = if requests.is_empty() {
                repair_with(&inst, &current, &absences, &opts, &settings)?
            } else {
                let (with_absences, _) = crate::repair::apply_absences(&inst, &current, &absences);
                resolve_stable(&with_requests(&with_absences, &requests, &[]), &current, &opts, &settings)?
            };
            let show = |c: &crate::model::Change| {
                let id = |s: Option<usize>| s.map_or("-".to_string(), |s| inst.shifts[s].id.clone());
                format!("{} day {}: {} -> {}", inst.staff[c.staff].id, c.day, id(c.before), id(c.after))
            };
            if json {
                let v = json!({
                    "objective": res.evaluation.objective,
                    "removed": res.removed.iter().map(show).collect::<Vec<_>>(),
                    "changes": res.changes.iter().map(show).collect::<Vec<_>>(),
                    "changed": res.changes.len(),
                    "unfillable": res.unfillable.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                    "max_changes": res.max_changes,
                    "seconds": res.seconds,
                    "iterations": res.iterations,
                });
                writeln!(w, "{v}")?;
            } else {
                writeln!(
                    w,
                    "repaired\tobjective {}\tremoved {}\tchanged {}\tbound {}\t{:.2} s",
                    res.evaluation.objective,
                    res.removed.len(),
                    res.changes.len(),
                    res.max_changes.map_or("none".to_string(), |m| m.to_string()),
                    res.seconds
                )?;
                for c in &res.removed {
                    writeln!(w, "removed\t{}", show(c))?;
                }
                for c in &res.changes {
                    writeln!(w, "changed\t{}", show(c))?;
                }
                for c in &res.unfillable {
                    writeln!(w, "unfillable\t{c}")?;
                }
            }
            if out.is_some() {
                write_roster(&res.instance, &res.roster, &out, w)?;
            }
        }
        RosterCmd::Explain { file, roster, staff, day, json } => {
            let inst = load(&file)?;
            let text = std::fs::read_to_string(&roster)
                .with_context(|| format!("读取排班表失败 / cannot read {}", roster.display()))?;
            let current = roster_from_csv(&inst, &text)?;
            let e = inst.staff_index(staff.trim()).ok_or_else(|| anyhow!("unknown staff {staff:?}"))?;
            let x = explain(&inst, &current, e, day)?;
            if json {
                writeln!(w, "{}", serde_json::to_string(&x)?)?;
            } else {
                write_explanation(&inst, &x, w)?;
            }
        }
        RosterCmd::Bureau { bureau_seed, carry_over: true, search, json, .. } => {
            bureau_window(bureau_seed, &search, json, w)?;
        }
        RosterCmd::Bureau { bureau_seed, search, json, out, .. } => {
            let b = reference_bureau(bureau_seed);
            let inst = bureau::to_instance(&b);
            let res = solve(&inst, &search.options())?;
            let check = bureau::check(&inst, &res.roster, &res.evaluation);
            let fair = bureau::fairness(&b, &inst, &res.roster);
            if json {
                let v = json!({"staff": inst.staff.len(), "days": inst.days,
                    "objective": res.evaluation.objective, "seconds": res.seconds,
                    "check": check, "feasible": check.ok(), "fairness": fair});
                writeln!(w, "{v}")?;
            } else {
                writeln!(
                    w,
                    "bureau\tstaff {}\tdays {}\tfeasible {}\tobjective {}\t{:.1} s",
                    inst.staff.len(),
                    inst.days,
                    check.ok(),
                    res.evaluation.objective,
                    res.seconds
                )?;
                writeln!(w, "{check:?}")?;
                writeln!(w, "group\tburden\tpeople\tmin\tmax\tmax-min\tgini")?;
                for f in &fair {
                    for (name, s) in [
                        ("shifts", &f.shifts),
                        ("nights", &f.nights),
                        ("weekend", &f.weekend_shifts),
                        ("holiday", &f.holiday_shifts),
                    ] {
                        writeln!(
                            w,
                            "{}\t{name}\t{}\t{}\t{}\t{}\t{:.3}",
                            f.group, s.people, s.min, s.max, s.max_minus_min, s.gini
                        )?;
                    }
                }
            }
            if out.is_some() {
                write_roster(&inst, &res.roster, &out, w)?;
            }
        }
    }
    Ok(())
}

/// Two months of the bureau: the second rostered without and with the first's counts carried
/// over, and the fairness over the two-month window for both.
fn bureau_window(seed: u64, search: &SearchArgs, json: bool, w: &mut dyn Write) -> Result<()> {
    let b1 = reference_bureau(seed);
    let i1 = bureau::to_instance(&b1);
    let m1 = solve(&i1, &search.options())?;
    let carry = bureau::carry_over(&i1, &m1.roster);
    let b2 = bureau::next_month(&b1, seed.wrapping_add(1));
    let i2 = bureau::to_instance(&b2);
    let before = solve(&i2, &search.options())?;
    let i2c = bureau::with_carry(&i2, carry.clone());
    let after = solve(&i2c, &search.options())?;
    let ok = |inst: &Instance, r: &crate::search::SolveOutcome| bureau::check(inst, &r.roster, &r.evaluation).ok();
    let feasible = [ok(&i1, &m1), ok(&i2, &before), ok(&i2c, &after)];
    let fb = bureau::fairness_window(&b2, &i2, &before.roster, &carry);
    let fa = bureau::fairness_window(&b2, &i2, &after.roster, &carry);
    if json {
        let v = json!({"feasible": feasible, "seconds": [m1.seconds, before.seconds, after.seconds],
            "window_without_carry_over": fb, "window_with_carry_over": fa});
        writeln!(w, "{v}")?;
        return Ok(());
    }
    writeln!(
        w,
        "bureau window	month 1 feasible {}	month 2 feasible {} (without carry-over) {} (with)	{:.1} s",
        feasible[0],
        feasible[1],
        feasible[2],
        m1.seconds + before.seconds + after.seconds
    )?;
    writeln!(w, "group	burden	people	max-min without	gini without	max-min with	gini with")?;
    for (x, y) in fb.iter().zip(&fa) {
        for (name, p, q) in [
            ("shifts", &x.shifts, &y.shifts),
            ("nights", &x.nights, &y.nights),
            ("weekend", &x.weekend_shifts, &y.weekend_shifts),
            ("holiday", &x.holiday_shifts, &y.holiday_shifts),
        ] {
            writeln!(
                w,
                "{}	{name}	{}	{}	{:.3}	{}	{:.3}",
                x.group, p.people, p.max_minus_min, p.gini, q.max_minus_min, q.gini
            )?;
        }
    }
    Ok(())
}

/// The explanation of one cell as lines a duty officer can read.
fn write_explanation(inst: &Instance, x: &CellExplanation, w: &mut dyn Write) -> Result<()> {
    let id = |s: Option<usize>| s.map_or("-".to_string(), |s| inst.shifts[s].id.clone());
    writeln!(w, "{} day {}: {}", inst.staff[x.staff].id, x.day, id(x.value))?;
    if x.fixed_day_off {
        writeln!(w, "fixed day off{}", if x.excused { " (excused absence)" } else { "" })?;
    }
    for c in &x.cover {
        let mark =
            if x.value == Some(c.shift) && c.needs_them() { "\tneeded: without them it falls short" } else { "" };
        writeln!(w, "cover\t{}\tneeds {}\trostered {}{mark}", id(Some(c.shift)), c.requirement, c.assigned)?;
    }
    for g in &x.groups {
        let shifts: Vec<String> = g.shifts.iter().map(|&s| id(Some(s))).collect();
        let counted = if g.counted { "\tcounted" } else { "" };
        writeln!(w, "group\t{}\t{}\tneeds {}\trostered {}{counted}", g.group, shifts.join("|"), g.min, g.assigned)?;
    }
    for r in &x.requests {
        let kind = if r.on { "on" } else { "off" };
        let granted = if r.granted { "granted" } else { "not granted" };
        let shifts: Vec<String> = r.shifts.iter().map(|&s| id(Some(s))).collect();
        writeln!(w, "request\t{kind} {}\tweight {}\t{granted}", shifts.join("|"), r.weight)?;
    }
    for a in &x.alternatives {
        let rules = |v: &[crate::eval::Violation]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.iter().map(|v| v.constraint()).collect::<Vec<_>>().join(", ")
            }
        };
        writeln!(
            w,
            "if {}\tobjective {:+}\t(on {:+}, off {:+}, under {:+}, over {:+}, group {:+}, fairness {:+})\tbreaks {}\tmends {}",
            id(a.value),
            a.objective_delta,
            a.on_requests_delta,
            a.off_requests_delta,
            a.under_delta,
            a.over_delta,
            a.group_under_delta,
            a.fairness_delta,
            rules(&a.breaks),
            rules(&a.mends)
        )?;
    }
    Ok(())
}

/// `A:3`, `A:3-5`, `A:3,4,9` → the person's index and days.
pub fn parse_absence(inst: &Instance, spec: &str) -> Result<Absence> {
    let (id, days) =
        spec.split_once(':').ok_or_else(|| anyhow!("缺勤格式应为 STAFF:DAYS / expected STAFF:DAYS, got {spec:?}"))?;
    let staff = inst.staff_index(id.trim()).ok_or_else(|| anyhow!("unknown staff {id:?}"))?;
    let mut out = Vec::new();
    for part in days.split(',') {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (a, b): (usize, usize) = (a.trim().parse()?, b.trim().parse()?);
        if b < a || b >= inst.days {
            bail!("days {part:?} outside 0..{}", inst.days);
        }
        out.extend(a..=b);
    }
    Ok(Absence { staff, days: out })
}

/// `A:3:D` or `A:3:D:5` → an on-request of person A for shift D on day 3 (weight 1 or 5).
pub fn parse_request(inst: &Instance, spec: &str) -> Result<Request> {
    let parts: Vec<&str> = spec.split(':').map(str::trim).collect();
    if !(3..=4).contains(&parts.len()) {
        bail!("请求格式应为 STAFF:DAY:SHIFT[:WEIGHT] / expected STAFF:DAY:SHIFT[:WEIGHT], got {spec:?}");
    }
    let staff = inst.staff_index(parts[0]).ok_or_else(|| anyhow!("unknown staff {:?}", parts[0]))?;
    let day: usize = parts[1].parse().with_context(|| format!("bad day {:?}", parts[1]))?;
    if day >= inst.days {
        bail!("day {day} outside 0..{}", inst.days);
    }
    let shift = inst.shift_index(parts[2]).ok_or_else(|| anyhow!("unknown shift {:?}", parts[2]))?;
    let weight: u32 = match parts.get(3) {
        Some(w) => w.parse().with_context(|| format!("bad weight {w:?}"))?,
        None => 1,
    };
    Ok(Request { staff, day, shift, weight })
}
