//! The incremental search state: the roster as flat cells, per-row costs, cover counts.
//!
//! A move is a short list of cell changes for at most two people; [`State::delta_below`] prices it
//! without committing and [`State::commit`] applies it, so rejected moves cost no copying of
//! the roster.

use super::row::{Cell, Ctx};
use super::window::Aggs;

pub(crate) struct State<'c, 'a> {
    pub ctx: &'c Ctx<'a>,
    pub cells: Vec<Cell>,
    pub aggs: Aggs,
    /// `cnt[d * (s_n + 1) + v]`: people on value v on day d (the off column is unused).
    pub cnt: Vec<u32>,
    pub gcnt: Vec<u32>,
    pub hard: i64,
    /// Hard units of each row (all hard constraints are per person).
    pub row_hard: Vec<i64>,
    pending_dh: [i64; 2],
    pub soft: i64,
    counts: Vec<u32>,
    /// Rows re-scored by the last [`State::delta_below`]: (staff, new row, changed days).
    pending: Vec<(usize, Vec<Cell>, Vec<usize>)>,
    pending_n: usize,
}

impl<'c, 'a> State<'c, 'a> {
    pub fn new(ctx: &'c Ctx<'a>, cells: Vec<Cell>) -> Self {
        let (e_n, d_n, v_n) = (ctx.e_n, ctx.d_n, ctx.s_n + 1);
        let mut st = State {
            ctx,
            aggs: Aggs::new(ctx, &cells),
            cells,
            cnt: vec![0; d_n * v_n],
            gcnt: vec![0; ctx.inst.group_covers.len()],
            hard: 0,
            row_hard: vec![0; e_n],
            pending_dh: [0; 2],
            soft: 0,
            counts: vec![0; ctx.s_n.max(1)],
            pending: vec![(0, vec![0; d_n], Vec::new()), (0, vec![0; d_n], Vec::new())],
            pending_n: 0,
        };
        for e in 0..e_n {
            let row = &st.cells[e * d_n..(e + 1) * d_n];
            let (h, s) = ctx.row_cost(e, row, &mut st.counts);
            st.hard += h;
            st.row_hard[e] = h;
            st.soft += s;
            for (d, &v) in row.iter().enumerate() {
                st.cnt[d * v_n + v as usize] += 1;
                for &g in &ctx.gidx[d * v_n + v as usize] {
                    if ctx.inst.groups[ctx.inst.group_covers[g as usize].group].members[e] {
                        st.gcnt[g as usize] += 1;
                    }
                }
            }
        }
        for d in 0..d_n {
            for s in 0..ctx.s_n {
                st.soft += st.cover_cost(d, s, st.cnt[d * v_n + s]);
            }
        }
        for g in 0..st.gcnt.len() {
            st.soft += st.group_cost(g, st.gcnt[g]);
        }
        st
    }

    #[inline]
    fn cover_cost(&self, d: usize, s: usize, c: u32) -> i64 {
        let cv = self.ctx.inst.cover[d * self.ctx.s_n + s];
        if c < cv.requirement {
            i64::from(cv.requirement - c) * i64::from(cv.weight_under)
        } else {
            i64::from(c - cv.requirement) * i64::from(cv.weight_over)
        }
    }

    #[inline]
    fn group_cost(&self, g: usize, c: u32) -> i64 {
        let gc = &self.ctx.inst.group_covers[g];
        i64::from(gc.min.saturating_sub(c)) * i64::from(gc.weight_under)
    }

    /// The cover price of one person fewer and of one more on (d, s): (fewer, more); fewer is
    /// infinite when nobody is on it.
    pub fn cover_change(&self, d: usize, s: usize) -> (f64, f64) {
        let c = self.cnt[d * (self.ctx.s_n + 1) + s];
        let now = self.cover_cost(d, s, c);
        let fewer = if c == 0 { f64::INFINITY } else { (self.cover_cost(d, s, c - 1) - now) as f64 };
        (fewer, (self.cover_cost(d, s, c + 1) - now) as f64)
    }

    /// Fewer people than required on (d, s).
    #[inline]
    pub fn deficit(&self, d: usize, s: Cell) -> bool {
        let ctx = self.ctx;
        self.cnt[d * (ctx.s_n + 1) + s as usize] < ctx.inst.cover[d * ctx.s_n + s as usize].requirement
    }

    /// More people than required on (d, s).
    #[inline]
    pub fn surplus(&self, d: usize, s: Cell) -> bool {
        let ctx = self.ctx;
        self.cnt[d * (ctx.s_n + 1) + s as usize] > ctx.inst.cover[d * ctx.s_n + s as usize].requirement
    }

    #[inline]
    pub fn get(&self, e: usize, d: usize) -> Cell {
        self.cells[e * self.ctx.d_n + d]
    }

    /// Moves one person on day d from value `from` to `to` in the cover counts and returns the
    /// cover cost change. Calling it again with the values swapped undoes it exactly.
    fn shift_cover(&mut self, e: usize, d: usize, from: Cell, to: Cell) -> i64 {
        let ctx = self.ctx;
        let v_n = ctx.s_n + 1;
        let mut delta = 0;
        if from != ctx.off {
            let i = d * v_n + from as usize;
            let c = self.cnt[i];
            delta += self.cover_cost(d, from as usize, c - 1) - self.cover_cost(d, from as usize, c);
            self.cnt[i] = c - 1;
        }
        if to != ctx.off {
            let i = d * v_n + to as usize;
            let c = self.cnt[i];
            delta += self.cover_cost(d, to as usize, c + 1) - self.cover_cost(d, to as usize, c);
            self.cnt[i] = c + 1;
        }
        if !ctx.inst.group_covers.is_empty() {
            for &g in &ctx.gidx[d * v_n + from as usize] {
                let g = g as usize;
                let gc = &ctx.inst.group_covers[g];
                if ctx.inst.groups[gc.group].members[e] {
                    let c = self.gcnt[g];
                    delta += self.group_cost(g, c - 1) - self.group_cost(g, c);
                    self.gcnt[g] = c - 1;
                }
            }
            for &g in &ctx.gidx[d * v_n + to as usize] {
                let g = g as usize;
                let gc = &ctx.inst.group_covers[g];
                if ctx.inst.groups[gc.group].members[e] {
                    let c = self.gcnt[g];
                    delta += self.group_cost(g, c + 1) - self.group_cost(g, c);
                    self.gcnt[g] = c + 1;
                }
            }
        }
        delta
    }

    /// Prices `changes` (staff, day, new value; at most two distinct staff, each cell once)
    /// as (hard delta, soft delta) — or returns None as soon as the move is seen to cost at
    /// least `limit` with hard units priced `hard_w`: when every touched row is free of hard
    /// violations now, each hard term can only grow, so the cover, request and counter parts
    /// already give a lower bound, and the run windows (the dearest part) are not re-scored.
    /// Cover counts are updated either way; follow with commit (only after Some) or rollback.
    pub fn delta_below(&mut self, changes: &[(usize, usize, Cell)], hard_w: f64, limit: f64) -> Option<(i64, i64)> {
        let ctx = self.ctx;
        let d_n = ctx.d_n;
        let mut people = [usize::MAX; 2];
        let mut n = 0;
        for &(e, _, _) in changes {
            if !people[..n].contains(&e) && n < 2 {
                people[n] = e;
                n += 1;
            }
        }
        let (mut dh, mut ds) = (0, 0);
        for &(e, d, v) in changes {
            let old = self.cells[e * d_n + d];
            if old != v {
                ds += self.shift_cover(e, d, old, v);
            }
        }
        for (k, &e) in people[..n].iter().enumerate() {
            let mut row = std::mem::take(&mut self.pending[k].1);
            let mut days = std::mem::take(&mut self.pending[k].2);
            let old = &self.cells[e * d_n..(e + 1) * d_n];
            row.copy_from_slice(old);
            days.clear();
            for &(ce, d, v) in changes {
                if ce == e && old[d] != v {
                    row[d] = v;
                    days.push(d);
                }
            }
            days.sort_unstable();
            self.pending_dh[k] = 0;
            if !days.is_empty() {
                let rd = ctx.row_delta(&self.aggs, e, old, &row, &days);
                dh += rd.dh;
                ds += rd.ds;
                self.pending_dh[k] = rd.dh;
            }
            self.pending[k] = (e, row, days);
        }
        self.pending_n = n;
        let feasible_rows = people[..n].iter().all(|&e| self.row_hard[e] == 0);
        if feasible_rows && hard_w * dh as f64 + ds as f64 >= limit {
            return None;
        }
        for k in 0..n {
            let (e, row, days) = &self.pending[k];
            if !days.is_empty() {
                let r = ctx.runs_delta(*e, &self.cells[e * d_n..(e + 1) * d_n], row, days);
                dh += r;
                self.pending_dh[k] += r;
            }
        }
        Some((dh, ds))
    }

    /// Undoes the cover-count part of the last [`State::delta_below`] for the same `changes`.
    pub fn rollback(&mut self, changes: &[(usize, usize, Cell)]) {
        let d_n = self.ctx.d_n;
        for &(e, d, v) in changes.iter().rev() {
            let old = self.cells[e * d_n + d];
            if old != v {
                self.shift_cover(e, d, v, old);
            }
        }
    }

    /// Applies the last [`State::delta_below`] (whose cover counts are already in place).
    pub fn commit(&mut self, dh: i64, ds: i64) {
        let ctx = self.ctx;
        let d_n = ctx.d_n;
        for k in 0..self.pending_n {
            let e = self.pending[k].0;
            self.row_hard[e] += self.pending_dh[k];
            for &d in &self.pending[k].2 {
                let (o, v) = (self.cells[e * d_n + d], self.pending[k].1[d]);
                self.aggs.apply(ctx, e, d, o, v);
                self.cells[e * d_n + d] = v;
            }
        }
        self.hard += dh;
        self.soft += ds;
    }

    /// (hard, soft) recomputed from scratch with the reference row scorer; tests and debug
    /// builds hold the incremental totals to it.
    pub fn recomputed(&self) -> (i64, i64) {
        let fresh = State::new(self.ctx, self.cells.clone());
        (fresh.hard, fresh.soft)
    }
}
