//! Repair and stable re-solving: people fall ill mid-roster, a request comes in; keep the
//! published roster and change as few cells as possible.
//!
//! The cells the new input forbids (an absent person's shifts, a shift on a new fixed day off)
//! are removed (forced changes), absences become excused days off, and the annealer restarts
//! cold from the damaged roster with a price on every cell that differs from it and, when
//! [`RepairSettings::max_changes`] is set, a hard bound on how many may differ. The price sits
//! below the under-cover weight, so a gap is worth a short chain of changes, but above request
//! weights, so nothing is moved just to grant a wish. If the damaged roster is already feasible
//! and nothing was removed or added, it is returned untouched.

use crate::eval::{evaluate, Evaluation};
use crate::model::{Change, Instance, Request, Roster};
use crate::search::{cells_of, solve_ctx, Ctx, SolveError, SolveOptions, Tuning};
use serde::{Deserialize, Serialize};

/// A person newly unavailable on some days (sick, quarantined, called away).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Absence {
    pub staff: usize,
    pub days: Vec<usize>,
}

/// What repair did: the new roster, the shifts the new input removed, and the other changes.
#[derive(Debug, Clone)]
pub struct RepairOutcome {
    /// The instance with the absences recorded (days off, excused, minimum hours reduced).
    pub instance: Instance,
    pub roster: Roster,
    pub evaluation: Evaluation,
    /// Cells the new input forced off (an absent person's shifts).
    pub removed: Vec<Change>,
    /// Every other changed cell, against the damaged roster; never more than the bound.
    pub changes: Vec<Change>,
    /// The bound the changes were held to, if any.
    pub max_changes: Option<usize>,
    /// What the absences made impossible (e.g. a shift whose only eligible people are now all
    /// away): a repair still returns its best roster, with those gaps in its evaluation, and
    /// names them here rather than refusing to record the absence.
    pub unfillable: Vec<crate::model::Contradiction>,
    pub iterations: u64,
    pub seconds: f64,
}

/// Price of changing one cell that the absences did not force; below under-cover (100).
pub const DEFAULT_CHANGE_WEIGHT: i64 = 30;
/// A repair stops once this many iterations per thread brought no better roster.
pub const DEFAULT_STALL_ITERATIONS: u64 = 300_000;

/// How a repair trades stability against the objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepairSettings {
    /// Price of one changed cell (objective units).
    pub change_weight: i64,
    /// At most this many cells may differ from the damaged roster (forced removals not
    /// counted); `None`: no bound beyond the price.
    pub max_changes: Option<usize>,
    /// Stop a search thread after this many iterations without a better roster (`None`: run
    /// the whole budget). Counted in iterations, so the result stays reproducible.
    pub stall_iterations: Option<u64>,
}

impl Default for RepairSettings {
    fn default() -> Self {
        RepairSettings {
            change_weight: DEFAULT_CHANGE_WEIGHT,
            max_changes: None,
            stall_iterations: Some(DEFAULT_STALL_ITERATIONS),
        }
    }
}

/// Records absences in a copy of the instance: the days become excused days off and the
/// person's minimum minutes drop by the minutes they can no longer work. Absences naming a
/// person or day outside the instance are ignored here; [`repair`] refuses them.
pub fn apply_absences(inst: &Instance, roster: &Roster, absences: &[Absence]) -> (Instance, Roster) {
    let mut inst = inst.clone();
    let mut damaged = roster.clone();
    for a in absences {
        let Some(p) = inst.staff.get_mut(a.staff) else {
            continue;
        };
        let days = p.days_off.len();
        for &d in a.days.iter().filter(|&&d| d < days) {
            p.days_off[d] = true;
            p.excused[d] = true;
            if let Some(s) = damaged.rows.get_mut(a.staff).and_then(|r| r.get_mut(d)).and_then(Option::take) {
                p.min_minutes = p.min_minutes.saturating_sub(inst.shifts[s].minutes);
            }
        }
    }
    (inst, damaged)
}

/// Repairs `roster` after `absences` with the default settings and this change price.
/// `opts.initial` is ignored; the damaged roster is the start.
pub fn repair(
    inst: &Instance,
    roster: &Roster,
    absences: &[Absence],
    opts: &SolveOptions,
    change_weight: i64,
) -> Result<RepairOutcome, SolveError> {
    repair_with(inst, roster, absences, opts, &RepairSettings { change_weight, ..RepairSettings::default() })
}

/// Repairs `roster` after `absences` under `settings` (change price, bound on changed cells).
pub fn repair_with(
    inst: &Instance,
    roster: &Roster,
    absences: &[Absence],
    opts: &SolveOptions,
    settings: &RepairSettings,
) -> Result<RepairOutcome, SolveError> {
    inst.validate()?;
    check_roster(inst, roster)?;
    for a in absences {
        if a.staff >= inst.staff.len() || a.days.iter().any(|&d| d >= inst.days) {
            return Err(invalid(format!("absence {a:?} names a person or day outside the instance")));
        }
    }
    let (inst2, damaged) = apply_absences(inst, roster, absences);
    inst2.check_structure().map_err(invalid)?;
    let unfillable = inst2.contradictions();
    if damaged == *roster {
        // No shift lost: if the roster is still feasible there is nothing to repair.
        let evaluation = evaluate(&inst2, roster);
        if evaluation.feasible() {
            return Ok(RepairOutcome {
                instance: inst2,
                roster: roster.clone(),
                evaluation,
                removed: Vec::new(),
                changes: Vec::new(),
                max_changes: settings.max_changes,
                unfillable,
                iterations: 0,
                seconds: 0.0,
            });
        }
    }
    let mut out = resolve_checked(&inst2, roster, opts, settings)?;
    out.unfillable = unfillable;
    Ok(out)
}

/// Re-solves `inst` (the published roster's instance after a small change: an absence, a
/// request added, a cover changed — same staff, days and shift types) starting from the
/// published roster, changing as few cells as `settings` allow. Cells the new instance
/// forbids outright (a shift on a fixed day off, a shift the person may no longer work) are
/// removed first and reported as `removed`.
pub fn resolve_stable(
    inst: &Instance,
    published: &Roster,
    opts: &SolveOptions,
    settings: &RepairSettings,
) -> Result<RepairOutcome, SolveError> {
    inst.validate()?;
    resolve_checked(inst, published, opts, settings)
}

/// [`resolve_stable`] on an instance whose structure is known to be valid.
fn resolve_checked(
    inst: &Instance,
    published: &Roster,
    opts: &SolveOptions,
    settings: &RepairSettings,
) -> Result<RepairOutcome, SolveError> {
    check_roster(inst, published)?;
    let mut damaged = published.clone();
    for (e, row) in damaged.rows.iter_mut().enumerate() {
        let p = &inst.staff[e];
        for (d, cell) in row.iter_mut().enumerate() {
            if cell.is_some_and(|s| p.days_off[d] || p.max_shifts[s] == 0) {
                *cell = None;
            }
        }
    }
    let removed = published.diff(&damaged);
    let ev = evaluate(inst, &damaged);
    let unchanged = |seconds| RepairOutcome {
        instance: inst.clone(),
        roster: damaged.clone(),
        evaluation: ev.clone(),
        removed: removed.clone(),
        changes: Vec::new(),
        max_changes: settings.max_changes,
        unfillable: Vec::new(),
        iterations: 0,
        seconds,
    };
    if settings.max_changes == Some(0) {
        // No change allowed: the damaged roster is the answer if it is feasible.
        if ev.feasible() {
            return Ok(unchanged(0.0));
        }
        let v = &ev.violations[0];
        return Err(SolveError::Infeasible {
            constraint: v.constraint(),
            count: ev.violations.len(),
            example: v.to_string(),
        });
    }
    let mut ctx = Ctx::new(inst);
    ctx.orig = Some(cells_of(&ctx, &damaged));
    ctx.change_w = settings.change_weight;
    ctx.max_changes = settings.max_changes;
    ctx.stall_stop = settings.stall_iterations;
    // The damaged roster is already good: anneal cold so only worthwhile changes survive.
    let opts = SolveOptions {
        initial: Some(damaged.clone()),
        tuning: Tuning { t0: 3.0, t1: 0.05, ..opts.tuning },
        ..opts.clone()
    };
    let out = solve_ctx(&ctx, &opts)?;
    // The search's objective includes the change price; report the plain objective.
    let evaluation = evaluate(inst, &out.roster);
    let changes = damaged.diff(&out.roster);
    debug_assert!(settings.max_changes.is_none_or(|m| changes.len() <= m), "change bound broken");
    Ok(RepairOutcome {
        instance: inst.clone(),
        roster: out.roster,
        evaluation,
        removed,
        changes,
        max_changes: settings.max_changes,
        unfillable: Vec::new(),
        iterations: out.iterations,
        seconds: out.seconds,
    })
}

/// Adds on-requests (a person asking to work a shift on a day) to a copy of the instance, for
/// [`resolve_stable`].
pub fn with_requests(inst: &Instance, on: &[Request], off: &[Request]) -> Instance {
    let mut inst = inst.clone();
    inst.on_requests.extend_from_slice(on);
    inst.off_requests.extend_from_slice(off);
    inst
}

fn invalid(msg: String) -> SolveError {
    SolveError::Instance(crate::model::InstanceError::Invalid(msg))
}

/// The roster must have the instance's shape: one row per person, one cell per day, known shifts.
pub fn check_roster(inst: &Instance, roster: &Roster) -> Result<(), SolveError> {
    if roster.rows.len() != inst.staff.len() {
        return Err(invalid(format!("roster has {} rows for {} staff", roster.rows.len(), inst.staff.len())));
    }
    if let Some((e, r)) = roster.rows.iter().enumerate().find(|(_, r)| r.len() != inst.days) {
        return Err(invalid(format!(
            "roster row of {} has {} days, the horizon {}",
            inst.staff[e].id,
            r.len(),
            inst.days
        )));
    }
    if roster.rows.iter().flatten().flatten().any(|&s| s >= inst.shifts.len()) {
        return Err(invalid("roster names a shift type the instance does not have".into()));
    }
    Ok(())
}
