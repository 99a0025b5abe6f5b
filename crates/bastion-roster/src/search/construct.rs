//! Feasible starting rows by dynamic programming over one person's horizon.
//!
//! On the long instances each person must work within a narrow band of total minutes, with
//! limits on runs, days off and weekends: random local search wanders for a long time before
//! it meets all of them at once. Every hard constraint concerns one person, so a row can be
//! built alone: a DP over days with state (run kind and length, weekends used, Saturday
//! worked) picks the worked days with the best score `λ + cover need + noise`, and bisection
//! on `λ` brings the number of shifts into the band allowed by the minutes limits. The row
//! uses one shift type that may follow itself; persons for whom that is not enough are left
//! to the annealer's phase 0.

use super::row::{Cell, Ctx};
use super::Rng;

/// Builds a hard-feasible row for person e, or None.
pub(crate) fn feasible_row(ctx: &Ctx<'_>, e: usize, rng: &mut Rng) -> Option<Vec<Cell>> {
    let p = &ctx.inst.staff[e];
    let (d_n, s_n) = (ctx.d_n, ctx.s_n);
    // The eligible, self-compatible shift type with the most allowance.
    let s = (0..s_n)
        .filter(|&s| p.max_shifts[s] > 0 && !ctx.forbid[s * s_n + s])
        .max_by_key(|&s| (p.max_shifts[s], std::cmp::Reverse(s)))?;
    let len = i64::from(ctx.minutes[s].max(1));
    let lo = (i64::from(p.min_minutes) + len - 1) / len;
    let hi = (i64::from(p.max_minutes) / len).min(i64::from(p.max_shifts[s]));
    if lo > hi {
        return None;
    }
    // The shift count is a step function of λ; with a narrow band (one or two shifts on the
    // long instances) a step can jump over it, so a fresh draw of the noise gets a few retries.
    for _ in 0..ATTEMPTS {
        let need: Vec<f64> = (0..d_n)
            .map(|d| {
                let c = ctx.inst.cover[d * s_n + s];
                f64::from(c.requirement.min(3)) * 0.1 + rng.unit() * 0.3
            })
            .collect();
        let (mut a, mut b) = (-3.0f64, 3.0f64);
        for _ in 0..16 {
            let lambda = (a + b) / 2.0;
            let row = best_row(ctx, e, s as Cell, &need, lambda)?;
            let n = row.iter().filter(|&&v| v != ctx.off).count() as i64;
            if n < lo {
                a = lambda;
            } else if n > hi {
                b = lambda;
            } else {
                return Some(row);
            }
        }
    }
    None
}

/// Draws of the noise tried before a person is left to phase 0.
const ATTEMPTS: usize = 8;

/// Max-score row for a fixed λ under all run, weekend and day-off rules (not the minutes band).
fn best_row(ctx: &Ctx<'_>, e: usize, s: Cell, need: &[f64], lambda: f64) -> Option<Vec<Cell>> {
    let p = &ctx.inst.staff[e];
    let d_n = ctx.d_n;
    // Limits beyond the horizon bind like the horizon itself (and keep the tables small).
    let maxc = (p.max_consecutive as usize).clamp(1, d_n);
    let minc = p.min_consecutive as usize;
    let cap = (p.min_days_off as usize).clamp(1, d_n + 1);
    // Run states: 0..maxc = working run of length k+1 (not from the edge),
    // maxc..2maxc = working run from day 0, 2maxc..2maxc+cap = off run of length j+1 (capped).
    let runs = 2 * maxc + cap;
    let wk_n = (p.max_weekends as usize).min(d_n.div_ceil(7)) + 1;
    let states = runs * wk_n * 2;
    let idx = |r: usize, w: usize, sat: usize| (r * wk_n + w) * 2 + sat;
    const NONE: f64 = f64::NEG_INFINITY;
    let mut val = vec![NONE; states];
    let mut next = vec![NONE; states];
    // back[d * states + state] = previous state (u32::MAX = start).
    let mut back = vec![u32::MAX; d_n * states];
    let worked = |d: usize, w: usize, sat: usize| -> Option<(usize, usize)> {
        // Weekend accounting when working on day d: (weekends used, saturday flag) after.
        match d % 7 {
            5 => (w + 1 < wk_n).then_some((w + 1, 1)),
            6 if sat == 1 => Some((w, 0)),
            6 => (w + 1 < wk_n).then_some((w + 1, 0)),
            _ => Some((w, 0)),
        }
    };
    for d in 0..d_n {
        next.iter_mut().for_each(|v| *v = NONE);
        let can_work = !p.days_off[d] && !p.excused[d];
        let gain = lambda + need[d];
        let relax = |to: usize, v: f64, from: u32, next: &mut Vec<f64>, back: &mut Vec<u32>| {
            if v > next[to] {
                next[to] = v;
                back[d * states + to] = from;
            }
        };
        if d == 0 {
            let off0 = idx(2 * maxc + cap - 1, 0, 0);
            relax(off0, 0.0, u32::MAX, &mut next, &mut back);
            if can_work {
                if let Some((w, sat)) = worked(0, 0, 0) {
                    relax(idx(maxc, w, sat), gain, u32::MAX, &mut next, &mut back);
                }
            }
        } else {
            for r in 0..runs {
                for w in 0..wk_n {
                    for sat in 0..2 {
                        let from = idx(r, w, sat);
                        let v = val[from];
                        if v == NONE {
                            continue;
                        }
                        // Sunday resets the Saturday flag whatever happens.
                        let sat_off = if d % 7 == 6 { 0 } else { sat };
                        let (working, k, edge) = if r < maxc {
                            (true, r + 1, false)
                        } else if r < 2 * maxc {
                            (true, r - maxc + 1, true)
                        } else {
                            (false, r - 2 * maxc + 1, false)
                        };
                        // Off today.
                        if working {
                            if edge || k >= minc {
                                relax(idx(2 * maxc, w, sat_off), v, from as u32, &mut next, &mut back);
                            }
                        } else {
                            let j = (k + 1).min(cap) - 1;
                            relax(idx(2 * maxc + j, w, sat_off), v, from as u32, &mut next, &mut back);
                        }
                        // Working today.
                        if !can_work {
                            continue;
                        }
                        let Some((w2, sat2)) = worked(d, w, sat) else {
                            continue;
                        };
                        if working {
                            if k < maxc {
                                let r2 = if edge { maxc + k } else { k };
                                relax(idx(r2, w2, sat2), v + gain, from as u32, &mut next, &mut back);
                            }
                        } else if k >= cap {
                            relax(idx(0, w2, sat2), v + gain, from as u32, &mut next, &mut back);
                        }
                    }
                }
            }
        }
        std::mem::swap(&mut val, &mut next);
    }
    // Any final state is fine: the last run touches the horizon's end.
    let (mut state, best) = val.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, v)| (i, *v))?;
    if best == NONE {
        return None;
    }
    let mut row = vec![ctx.off; d_n];
    for d in (0..d_n).rev() {
        let r = state / (wk_n * 2);
        if r < 2 * maxc {
            row[d] = s;
        }
        let prev = back[d * states + state];
        if prev == u32::MAX {
            break;
        }
        state = prev as usize;
    }
    Some(row)
}
