//! Repair: people fall ill mid-roster; cover the gap changing as few assignments as possible.
//!
//! The absent people's shifts on their absent days are removed (forced changes), those days
//! become excused days off, and the annealer restarts cold from the damaged roster with a
//! price on every cell that differs from it. The price sits below the under-cover weight, so
//! a gap is worth a short chain of changes, but above request weights, so nothing is moved
//! just to grant a wish. If the damaged roster is already feasible and no shift was lost,
//! it is returned untouched.

use crate::eval::{evaluate, Evaluation};
use crate::model::{Change, Instance, Roster};
use crate::search::{cells_of, solve_ctx, Ctx, SolveError, SolveOptions, Tuning};
use serde::{Deserialize, Serialize};

/// A person newly unavailable on some days (sick, quarantined, called away).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Absence {
    pub staff: usize,
    pub days: Vec<usize>,
}

/// What repair did: the new roster, the shifts the absences removed, and the other changes.
#[derive(Debug, Clone)]
pub struct RepairOutcome {
    /// The instance with the absences recorded (days off, excused, minimum hours reduced).
    pub instance: Instance,
    pub roster: Roster,
    pub evaluation: Evaluation,
    pub removed: Vec<Change>,
    pub changes: Vec<Change>,
}

/// Price of changing one cell that the absences did not force; below under-cover (100).
pub const DEFAULT_CHANGE_WEIGHT: i64 = 30;

/// Records absences in a copy of the instance: the days become excused days off and the
/// person's minimum minutes drop by the minutes they can no longer work.
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
            if let Some(s) = damaged.rows[a.staff][d].take() {
                p.min_minutes = p.min_minutes.saturating_sub(inst.shifts[s].minutes);
            }
        }
    }
    (inst, damaged)
}

/// Repairs `roster` after `absences`. `opts.initial` is ignored; the damaged roster is the start.
pub fn repair(
    inst: &Instance,
    roster: &Roster,
    absences: &[Absence],
    opts: &SolveOptions,
    change_weight: i64,
) -> Result<RepairOutcome, SolveError> {
    let (inst2, damaged) = apply_absences(inst, roster, absences);
    let removed = roster.diff(&damaged);
    let ev = evaluate(&inst2, &damaged);
    if removed.is_empty() && ev.feasible() {
        return Ok(RepairOutcome { instance: inst2, roster: damaged, evaluation: ev, removed, changes: Vec::new() });
    }
    let mut ctx = Ctx::new(&inst2);
    ctx.orig = Some(cells_of(&ctx, &damaged));
    ctx.change_w = change_weight;
    // The damaged roster is already good: anneal cold so only worthwhile changes survive.
    let opts = SolveOptions {
        initial: Some(damaged.clone()),
        tuning: Tuning { t0: 3.0, t1: 0.05, ..opts.tuning },
        ..opts.clone()
    };
    let out = solve_ctx(&ctx, &opts)?;
    // The search's objective includes the change price; report the plain objective.
    let evaluation = evaluate(&inst2, &out.roster);
    let changes = damaged.diff(&out.roster);
    Ok(RepairOutcome { instance: inst2, roster: out.roster, evaluation, removed, changes })
}
