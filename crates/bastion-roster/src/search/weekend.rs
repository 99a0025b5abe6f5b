//! Weekend repair: turns a one-day weekend into a full one where the plain completion of
//! [`super::targeted::weekend_move`] cannot.
//!
//! On the 364-day benchmark instances nearly all the under-cover is on weekends and every
//! person is at their weekend limit, so each one-day weekend wastes an allowance. In rosters
//! of the engine at 30–40 M iterations (Instances 22–24) most one-day weekends could not be
//! completed by giving the free day a missing type: on 23 and 24 about half because that type
//! may not follow (or be followed by) the worked day's shift, on 22 about 60 % because nothing
//! is missing on the free day while other weekends go short. And people there work runs of 2–5
//! days with 2 days off at least, within a band of one or two shifts of total minutes, so a
//! weekend changed without regard to its runs is nearly always rejected: these moves check
//! the run rules before they propose.

use super::row::{Cell, Ctx};
use super::state::State;
use super::Rng;

/// Weeks scanned for a one-day weekend, and for a free weekend to move it to.
const SCAN_WEEKS: usize = 16;

/// Missing types tried on the free day before the weekend is moved instead.
const TRY_TYPES: usize = 2;

type Changes = Vec<(usize, usize, Cell)>;

/// Draws a person and one of their one-day weekends. If the free day lacks a type the person
/// may take there, it gets it — the worked day retyped when its shift cannot sit next to the
/// new one, and the far end of the run dropped when the run grows too long. Otherwise the
/// weekend moves: the worked day is cleared and the person gets a full weekend in a week where
/// they are off and both days lack a type they can take. An extra shift is paid for (always
/// when the person's minutes are at their maximum, else half the time) by dropping one of
/// their shifts on a surplus-covered day. Every proposal keeps the person's run rules.
pub(super) fn weekend_fix(ctx: &Ctx<'_>, st: &State<'_, '_>, rng: &mut Rng, out: &mut Changes) {
    let (d_n, off) = (ctx.d_n, ctx.off);
    let weeks = d_n / 7;
    let e = rng.below(ctx.e_n);
    let elig = &ctx.eligible[e];
    if weeks == 0 || elig.is_empty() {
        return;
    }
    let w0 = rng.below(weeks);
    let Some(w) = (0..weeks.min(SCAN_WEEKS)).map(|k| (w0 + k) % weeks).find(|&w| {
        let sat = 7 * w + 5;
        (st.get(e, sat) == off) != (st.get(e, sat + 1) == off)
    }) else {
        return;
    };
    let mut scratch = Scratch { row: Vec::new(), days: Vec::new(), sat: Vec::new(), sun: Vec::new() };
    let sat = 7 * w + 5;
    let (free, worked) = if st.get(e, sat) == off { (sat, sat + 1) } else { (sat + 1, sat) };
    let cur = st.get(e, worked);
    let rotated = |k0: usize| (0..elig.len()).map(move |k| elig[(k0 + k) % elig.len()]);
    let as_pair = |m: Cell, x: Cell| if free == sat { (m, x) } else { (x, m) };
    let k0 = rng.below(elig.len());
    for m in rotated(k0).filter(|&m| st.deficit(free, m) && ctx.allowed(e, free, m)).take(TRY_TYPES) {
        // The worked day kept, else retyped: to a type missing there first, else any that fits.
        let mut pick = None;
        for x in std::iter::once(cur).chain(rotated(rng.below(elig.len()))) {
            let (a, b) = as_pair(m, x);
            if !ctx.allowed(e, worked, x) || !fits(ctx, st, e, sat, a, b) {
                continue;
            }
            if x == cur || st.deficit(worked, x) {
                pick = Some(x);
                break;
            }
            pick = pick.or(Some(x));
        }
        let Some(x) = pick else { continue };
        out.push((e, free, m));
        if x != cur {
            out.push((e, worked, x));
        }
        if scratch.runs_ok(ctx, st, e, out) {
            pay_for_one(ctx, st, rng, e, &[sat], &mut scratch, out);
            return;
        }
        // The run grew too long: its far end goes (the person's count stays put).
        if let Some(far) = far_end(ctx, st, e, free) {
            out.push((e, far, off));
            if scratch.runs_ok(ctx, st, e, out) {
                return;
            }
        }
        out.clear();
        return;
    }
    // Nothing fits on the free day: move the weekend to a week that is short on both days.
    let w1 = rng.below(weeks);
    for w2 in (0..weeks.min(SCAN_WEEKS)).map(|k| (w1 + k) % weeks) {
        let s2 = 7 * w2 + 5;
        if w2 == w || st.get(e, s2) != off || st.get(e, s2 + 1) != off {
            continue;
        }
        let Some((a, b)) = scratch.full_weekend(ctx, st, e, s2) else { continue };
        out.push((e, worked, off));
        out.push((e, s2, a));
        out.push((e, s2 + 1, b));
        if scratch.runs_ok(ctx, st, e, out) {
            pay_for_one(ctx, st, rng, e, &[sat, s2], &mut scratch, out);
            return;
        }
        out.clear();
    }
}

/// The shift a moved weekend adds to person e, paid for by dropping one of their shifts on a
/// surplus-covered day away from the weekends `sats` — always when their minutes are at the
/// maximum already, else half the time — if one can go without breaking a run rule.
fn pay_for_one(
    ctx: &Ctx<'_>,
    st: &State<'_, '_>,
    rng: &mut Rng,
    e: usize,
    sats: &[usize],
    scratch: &mut Scratch,
    out: &mut Changes,
) {
    let (d_n, off) = (ctx.d_n, ctx.off);
    let full = st.aggs.minutes[e] + i64::from(ctx.minutes.iter().copied().min().unwrap_or(0))
        > i64::from(ctx.inst.staff[e].max_minutes);
    if !full && rng.below(2) == 0 {
        return;
    }
    let near = |u: usize| sats.iter().any(|&s| u + 1 >= s && u <= s + 2);
    let start = rng.below(d_n);
    for u in (0..d_n.min(56)).map(|k| (start + k) % d_n) {
        let x = st.get(e, u);
        if near(u) || x == off || !st.surplus(u, x) {
            continue;
        }
        out.push((e, u, off));
        if scratch.runs_ok(ctx, st, e, out) {
            return;
        }
        out.pop();
    }
}

/// The day at the other end of the run of work that day `t` would join, if that run (with
/// `t`) is longer than the person's maximum and the end lies outside t's weekend.
fn far_end(ctx: &Ctx<'_>, st: &State<'_, '_>, e: usize, t: usize) -> Option<usize> {
    let off = ctx.off;
    let works = |u: usize| u == t || st.get(e, u) != off;
    let (mut a, mut b) = (t, t);
    while a > 0 && works(a - 1) {
        a -= 1;
    }
    while b + 1 < ctx.d_n && works(b + 1) {
        b += 1;
    }
    if (b - a + 1) as u32 <= ctx.inst.staff[e].max_consecutive {
        return None;
    }
    let sat = t - t % 7 + 5;
    let far = if t == sat { b } else { a };
    (far + 1 < sat || far > sat + 1).then_some(far)
}

/// Saturday `sat` = a and Sunday = b (both shifts) break no succession with each other, with
/// Friday's shift or with Monday's.
fn fits(ctx: &Ctx<'_>, st: &State<'_, '_>, e: usize, sat: usize, a: Cell, b: Cell) -> bool {
    let (s_n, off) = (ctx.s_n, ctx.off);
    let forbid = |x: Cell, y: Cell| x != off && y != off && ctx.forbid[x as usize * s_n + y as usize];
    let fri = if sat > 0 { st.get(e, sat - 1) } else { off };
    let mon = if sat + 2 < ctx.d_n { st.get(e, sat + 2) } else { off };
    !forbid(fri, a) && !forbid(a, b) && !forbid(b, mon)
}

/// Buffers for checking a proposal before it is priced (allocated on first use only).
struct Scratch {
    row: Vec<Cell>,
    days: Vec<usize>,
    sat: Vec<Cell>,
    sun: Vec<Cell>,
}

impl Scratch {
    /// Types for Saturday `sat` and Sunday that person e may take, both missing there, that
    /// break no succession with each other or with Friday's and Monday's shifts.
    fn full_weekend(&mut self, ctx: &Ctx<'_>, st: &State<'_, '_>, e: usize, sat: usize) -> Option<(Cell, Cell)> {
        let missing = |t: usize, into: &mut Vec<Cell>| {
            into.clear();
            into.extend(ctx.eligible[e].iter().copied().filter(|&c| st.deficit(t, c) && ctx.allowed(e, t, c)));
        };
        missing(sat, &mut self.sat);
        if self.sat.is_empty() {
            return None;
        }
        missing(sat + 1, &mut self.sun);
        let (s_n, off) = (ctx.s_n, ctx.off);
        let forbid = |x: Cell, y: Cell| x != off && y != off && ctx.forbid[x as usize * s_n + y as usize];
        let fri = if sat > 0 { st.get(e, sat - 1) } else { off };
        let mon = if sat + 2 < ctx.d_n { st.get(e, sat + 2) } else { off };
        for &a in self.sat.iter().filter(|&&a| !forbid(fri, a)) {
            if let Some(&b) = self.sun.iter().find(|&&b| !forbid(a, b) && !forbid(b, mon)) {
                return Some((a, b));
            }
        }
        None
    }

    /// Person e's changes in `out` break no run rule their row keeps now.
    fn runs_ok(&mut self, ctx: &Ctx<'_>, st: &State<'_, '_>, e: usize, out: &Changes) -> bool {
        let d_n = ctx.d_n;
        let old = &st.cells[e * d_n..(e + 1) * d_n];
        self.row.clear();
        self.row.extend_from_slice(old);
        self.days.clear();
        for &(_, d, v) in out {
            if old[d] != v {
                self.row[d] = v;
                self.days.push(d);
            }
        }
        self.days.sort_unstable();
        ctx.runs_delta(e, old, &self.row, &self.days) <= 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::construct::feasible_row;

    /// On a 364-day benchmark instance started from feasible rows, every weekend repair
    /// touches one person, only on days they may work, and breaks no run rule; some propose.
    #[test]
    fn proposals_keep_one_row_and_its_runs() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/roster/instances/Instance23.txt");
        let inst = crate::parse_instance("Instance23", &std::fs::read_to_string(path).unwrap()).unwrap();
        let ctx = Ctx::new(&inst);
        let mut rng = Rng::new(3);
        let mut cells = vec![ctx.off; ctx.e_n * ctx.d_n];
        for e in 0..ctx.e_n {
            if let Some(row) = feasible_row(&ctx, e, &mut rng) {
                cells[e * ctx.d_n..(e + 1) * ctx.d_n].copy_from_slice(&row);
            }
        }
        let st = State::new(&ctx, cells);
        let mut out = Vec::new();
        let mut scratch = Scratch { row: Vec::new(), days: Vec::new(), sat: Vec::new(), sun: Vec::new() };
        let mut proposed = 0;
        for _ in 0..2000 {
            out.clear();
            weekend_fix(&ctx, &st, &mut rng, &mut out);
            let Some(&(e, _, _)) = out.first() else { continue };
            proposed += 1;
            assert!(out.iter().all(|&(p, d, v)| p == e && ctx.allowed(e, d, v) && st.get(e, d) != v), "{out:?}");
            let mut days: Vec<usize> = out.iter().map(|c| c.1).collect();
            days.sort_unstable();
            days.dedup();
            assert_eq!(days.len(), out.len(), "a day changed twice: {out:?}");
            assert!(scratch.runs_ok(&ctx, &st, e, &out), "a run rule broken: {out:?}");
        }
        assert!(proposed > 20, "only {proposed} proposals in 2000 draws");
    }
}
