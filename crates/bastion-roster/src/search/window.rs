//! Windowed re-scoring: the cost change of a row when a few of its days change, in time
//! proportional to the runs touched rather than to the horizon.
//!
//! On the 364-day instances a full re-scan of two rows per move made the search ~20× slower
//! than needed. A row's cost splits into per-cell terms (requests, fixed days off, repair
//! changes), adjacent-pair terms (forbidden successions), per-run terms (consecutive limits)
//! and terms of per-row counters (shifts per type, minutes, weekends, fairness); each part is
//! updated locally here. [`Ctx::row_cost`] stays the from-scratch reference the tests hold
//! this against.

use super::row::{Cell, Ctx, MINUTES_PER_UNIT};

const UNIT: i64 = MINUTES_PER_UNIT as i64;

/// Per-row counters kept by the search state.
pub(crate) struct Aggs {
    pub weeks: usize,
    /// `counts[e * s_n + s]`: shifts of type s worked by e.
    pub counts: Vec<u32>,
    pub minutes: Vec<i64>,
    /// `wk[e * weeks + w]`: weekend days of week w worked by e (0..=2).
    pub wk: Vec<u8>,
    /// Weekends worked on one day / on both days.
    pub wk1: Vec<u32>,
    pub wk2: Vec<u32>,
    /// Shifts, nights, weekend days, holidays worked (for fairness).
    pub fair: Vec<[i64; 4]>,
}

impl Aggs {
    pub fn new(ctx: &Ctx<'_>, cells: &[Cell]) -> Self {
        let (e_n, d_n, s_n) = (ctx.e_n, ctx.d_n, ctx.s_n);
        let weeks = d_n.div_ceil(7);
        let mut a = Aggs {
            weeks,
            counts: vec![0; e_n * s_n],
            minutes: vec![0; e_n],
            wk: vec![0; e_n * weeks],
            wk1: vec![0; e_n],
            wk2: vec![0; e_n],
            fair: ctx.carry.clone(),
        };
        for e in 0..e_n {
            for d in 0..d_n {
                a.apply(ctx, e, d, ctx.off, cells[e * d_n + d]);
            }
        }
        a
    }

    /// Records that (e, d) changed from `o` to `v`.
    pub fn apply(&mut self, ctx: &Ctx<'_>, e: usize, d: usize, o: Cell, v: Cell) {
        for (x, sign) in [(o, -1i64), (v, 1i64)] {
            if x == ctx.off {
                continue;
            }
            let s = x as usize;
            let c = &mut self.counts[e * ctx.s_n + s];
            *c = (i64::from(*c) + sign) as u32;
            self.minutes[e] += sign * i64::from(ctx.minutes[s]);
            let f = &mut self.fair[e];
            f[0] += sign;
            f[1] += sign * i64::from(ctx.night[s]);
            f[3] += sign * i64::from(ctx.holiday[d]);
            if d % 7 >= 5 {
                f[2] += sign;
                let w = &mut self.wk[e * self.weeks + d / 7];
                let before = *w;
                *w = (i64::from(*w) + sign) as u8;
                let (b1, b2) = wk_class(before);
                let (a1, a2) = wk_class(*w);
                self.wk1[e] = self.wk1[e] + a1 - b1;
                self.wk2[e] = self.wk2[e] + a2 - b2;
            }
        }
    }
}

fn wk_class(days: u8) -> (u32, u32) {
    match days {
        0 => (0, 0),
        1 => (1, 0),
        _ => (0, 1),
    }
}

/// The effect of a move on one row.
#[derive(Clone, Copy, Default)]
pub(crate) struct RowDelta {
    pub dh: i64,
    pub ds: i64,
}

impl Ctx<'_> {
    /// Hard units of the per-row minutes and weekend counters.
    pub fn counter_hard(&self, e: usize, minutes: i64, wk1: u32, wk2: u32) -> i64 {
        let p = &self.inst.staff[e];
        let (max, min) = (i64::from(p.max_minutes), i64::from(p.min_minutes));
        let mut h = 0;
        if minutes > max {
            h += (minutes - max + UNIT - 1) / UNIT;
        } else if minutes < min {
            h += (min - minutes + UNIT - 1) / UNIT;
        }
        let excess = (wk1 + wk2).saturating_sub(p.max_weekends);
        if excess > 0 {
            let ones = excess.min(wk1);
            h += i64::from(ones + 2 * (excess - ones));
        }
        h
    }

    pub fn fair_soft(&self, f: [i64; 4]) -> i64 {
        self.fair_w * (f[0] * f[0] + f[1] * f[1] + f[2] * f[2] + f[3] * f[3])
    }

    /// Hard units of the runs of `row` lying in [a, b]; a must start a run and b end one.
    pub fn runs_cost(&self, e: usize, row: &[Cell], a: usize, b: usize) -> i64 {
        let p = &self.inst.staff[e];
        let (off, last) = (self.off, self.d_n - 1);
        let mut h = 0;
        let mut start = a;
        for t in a + 1..=b + 1 {
            if t <= b && (row[t] != off) == (row[start] != off) {
                continue;
            }
            let (end, len) = (t - 1, (t - start) as u32);
            let inner = start > 0 && end < last;
            if row[start] != off {
                h += i64::from(len.saturating_sub(p.max_consecutive));
                let excused =
                    self.has_excused[e] && ((start > 0 && p.excused[start - 1]) || (end < last && p.excused[end + 1]));
                if inner && !excused {
                    h += i64::from(p.min_consecutive.saturating_sub(len));
                }
            } else if inner && !(self.has_excused[e] && p.excused[start..=end].iter().any(|&x| x)) {
                h += i64::from(p.min_days_off.saturating_sub(len));
            }
            start = t;
        }
        h
    }

    /// Prices changing row e from `old` to `new`, which differ exactly on `days` (sorted):
    /// everything but the run rules ([`Ctx::runs_delta`]).
    pub fn row_delta(&self, aggs: &Aggs, e: usize, old: &[Cell], new: &[Cell], days: &[usize]) -> RowDelta {
        let p = &self.inst.staff[e];
        let (d_n, s_n, off) = (self.d_n, self.s_n, self.off);
        let v_n = s_n + 1;
        let req = &self.req[e * d_n * v_n..(e + 1) * d_n * v_n];
        let (mut dh, mut ds) = (0i64, 0i64);
        let mut minutes = aggs.minutes[e];
        let mut fair = aggs.fair[e];
        let (mut wk1, mut wk2) = (aggs.wk1[e], aggs.wk2[e]);
        // Distinct shift types and weeks touched, with their net change. Moves change at most
        // MAX_BLOCK (7) days of a row, so 16 slots always suffice.
        debug_assert!(days.len() <= 8, "move too long for the windowed scorer");
        let mut types: [(Cell, i64); 16] = [(0, 0); 16];
        let mut nt = 0;
        let mut weeks: [(usize, i64); 16] = [(0, 0); 16];
        let mut nw = 0;
        for &d in days {
            let (o, v) = (old[d], new[d]);
            if self.has_req[e * d_n + d] {
                ds += i64::from(req[d * v_n + v as usize]) - i64::from(req[d * v_n + o as usize]);
            }
            if let Some(orig) = &self.orig {
                let g = orig[e * d_n + d];
                ds += self.change_w * (i64::from(v != g) - i64::from(o != g));
            }
            if self.days_off[e * d_n + d] {
                dh += i64::from(v != off) - i64::from(o != off);
            }
            for (x, sign) in [(o, -1i64), (v, 1i64)] {
                if x == off {
                    continue;
                }
                let s = x as usize;
                match types[..nt].iter_mut().find(|t| t.0 == x) {
                    Some(t) => t.1 += sign,
                    None if nt < 16 => {
                        types[nt] = (x, sign);
                        nt += 1;
                    }
                    None => {}
                }
                minutes += sign * i64::from(self.minutes[s]);
                fair[0] += sign;
                fair[1] += sign * i64::from(self.night[s]);
                fair[3] += sign * i64::from(self.holiday[d]);
                if d % 7 >= 5 {
                    fair[2] += sign;
                    match weeks[..nw].iter_mut().find(|w| w.0 == d / 7) {
                        Some(w) => w.1 += sign,
                        None if nw < 16 => {
                            weeks[nw] = (d / 7, sign);
                            nw += 1;
                        }
                        None => {}
                    }
                }
            }
        }
        for &(x, delta) in &types[..nt] {
            let c = i64::from(aggs.counts[e * s_n + x as usize]);
            let m = i64::from(p.max_shifts[x as usize]);
            dh += (c + delta - m).max(0) - (c - m).max(0);
        }
        for &(w, delta) in &weeks[..nw] {
            let before = aggs.wk[e * aggs.weeks + w];
            let after = (i64::from(before) + delta) as u8;
            let (b1, b2) = wk_class(before);
            let (a1, a2) = wk_class(after);
            wk1 = wk1 + a1 - b1;
            wk2 = wk2 + a2 - b2;
        }
        dh += self.counter_hard(e, minutes, wk1, wk2) - self.counter_hard(e, aggs.minutes[e], aggs.wk1[e], aggs.wk2[e]);
        if self.fair_w > 0 {
            ds += self.fair_soft(fair) - self.fair_soft(aggs.fair[e]);
        }
        // Forbidden successions on the pairs (t, t + 1) that contain a changed day.
        let forb = |r: &[Cell], t: usize| {
            r[t] != off && r[t + 1] != off && self.forbid[r[t] as usize * s_n + r[t + 1] as usize]
        };
        let mut last_pair = usize::MAX;
        for &d in days {
            for t in [d.wrapping_sub(1), d] {
                if t == usize::MAX || t + 1 >= d_n || (last_pair != usize::MAX && t <= last_pair) {
                    continue;
                }
                dh += i64::from(forb(new, t)) - i64::from(forb(old, t));
                last_pair = t;
            }
        }
        RowDelta { dh, ds }
    }

    /// Hard change of the run rules (consecutive limits) when row e changes from `old` to
    /// `new` on `days` (sorted): the part of a row's delta [`Ctx::row_delta`] leaves out.
    pub fn runs_delta(&self, e: usize, old: &[Cell], new: &[Cell], days: &[usize]) -> i64 {
        let (d_n, off) = (self.d_n, self.off);
        let mut dh = 0;
        // Runs: widen each changed day to the old runs on either side; merged windows start
        // and end on run boundaries of both rows, so their run costs can be compared.
        let working = |t: usize| old[t] != off;
        let mut window: Option<(usize, usize)> = None;
        for &d in days {
            let mut a = d;
            if d > 0 {
                a = d - 1;
                while a > 0 && working(a - 1) == working(d - 1) {
                    a -= 1;
                }
            }
            let mut b = d;
            if d + 1 < d_n {
                b = d + 1;
                while b + 1 < d_n && working(b + 1) == working(d + 1) {
                    b += 1;
                }
            }
            window = match window {
                Some((wa, wb)) if a <= wb + 1 => Some((wa, wb.max(b))),
                Some((wa, wb)) => {
                    dh += self.runs_cost(e, new, wa, wb) - self.runs_cost(e, old, wa, wb);
                    Some((a, b))
                }
                None => Some((a, b)),
            };
        }
        if let Some((wa, wb)) = window {
            dh += self.runs_cost(e, new, wa, wb) - self.runs_cost(e, old, wa, wb);
        }
        dh
    }
}
