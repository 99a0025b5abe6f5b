//! Per-person cost of one roster row, as the search sees it.
//!
//! Every hard constraint of the model concerns one person only, so a move that touches one
//! or two people is priced by re-scoring their rows (O(days)) plus the O(1) cover change.
//! Hard constraints become graded penalties ("units") so the search can cross infeasible
//! ground; the evaluator, not this code, decides what is feasible in the end.

use crate::model::Instance;

/// Cell value used by the search: `0..shifts` is a shift, `shifts` (= [`Ctx::off`]) a day off.
pub(crate) type Cell = u8;

/// Minutes of a total-minutes violation that count as one hard unit.
pub(crate) const MINUTES_PER_UNIT: u32 = 480;

/// Everything about an instance the search needs in flat, cache-friendly arrays.
pub(crate) struct Ctx<'a> {
    pub inst: &'a Instance,
    pub e_n: usize,
    pub d_n: usize,
    pub s_n: usize,
    pub off: Cell,
    pub minutes: Vec<u32>,
    /// `forbid[a * s_n + b]`: shift b may not follow shift a.
    pub forbid: Vec<bool>,
    /// Request cost of putting value v on (e, d): `req[(e * d_n + d) * (s_n + 1) + v]`.
    pub req: Vec<i32>,
    /// Values each person may take at all (eligible shifts), off excluded.
    pub eligible: Vec<Vec<Cell>>,
    /// People eligible for each shift type.
    pub can_work: Vec<Vec<usize>>,
    /// People with the same eligible shifts (`classes[class_of[e]]`): swaps inside a class
    /// are the moves that can rebalance load without breaking eligibility.
    pub class_of: Vec<usize>,
    pub classes: Vec<Vec<usize>>,
    /// Every shift request as (staff, day, shift, wanted): the targets of request swaps.
    pub requests: Vec<(usize, usize, Cell, bool)>,
    /// Group covers indexed by `d * (s_n + 1) + v`.
    pub gidx: Vec<Vec<u32>>,
    pub night: Vec<bool>,
    pub holiday: Vec<bool>,
    pub fair_w: i64,
    /// Fairness counts carried over from before the horizon, per person (zeros if none).
    pub carry: Vec<[i64; 4]>,
    /// Repair: the roster we started from and the price of changing one cell of it.
    pub orig: Option<Vec<Cell>>,
    pub change_w: i64,
    /// Repair: at most this many cells may differ from `orig` (a hard bound on every move).
    pub max_changes: Option<usize>,
    /// Repair: a thread stops after this many iterations without a better roster.
    pub stall_stop: Option<u64>,
    /// Flat copies of per-person data the move generators and the windowed scorer read on
    /// every iteration (one load instead of a chase through `inst.staff[e]`):
    /// `days_off[e * d_n + d]`, `elig[e * s_n + s]` (eligible for shift s),
    /// `has_req[e * d_n + d]` (some request on that day), `has_excused[e]`.
    pub days_off: Vec<bool>,
    pub elig: Vec<bool>,
    pub has_req: Vec<bool>,
    pub has_excused: Vec<bool>,
}

impl<'a> Ctx<'a> {
    pub fn new(inst: &'a Instance) -> Self {
        let (e_n, d_n, s_n) = (inst.staff.len(), inst.days, inst.shifts.len());
        let v_n = s_n + 1;
        let mut forbid = vec![false; s_n * s_n];
        for (a, sh) in inst.shifts.iter().enumerate() {
            for &b in &sh.forbidden_next {
                forbid[a * s_n + b] = true;
            }
        }
        let mut req = vec![0i32; e_n * d_n * v_n];
        for r in &inst.on_requests {
            let base = (r.staff * d_n + r.day) * v_n;
            for v in 0..v_n {
                if v != r.shift {
                    req[base + v] += r.weight as i32;
                }
            }
        }
        for r in &inst.off_requests {
            req[(r.staff * d_n + r.day) * v_n + r.shift] += r.weight as i32;
        }
        for r in &inst.on_any_requests {
            let base = (r.staff * d_n + r.day) * v_n;
            for v in (0..v_n).filter(|&v| !r.shifts.contains(&v)) {
                req[base + v] += r.weight as i32;
            }
        }
        let eligible: Vec<Vec<Cell>> =
            inst.staff.iter().map(|p| (0..s_n).filter(|&s| p.max_shifts[s] > 0).map(|s| s as Cell).collect()).collect();
        let can_work = (0..s_n).map(|s| (0..e_n).filter(|&e| inst.staff[e].max_shifts[s] > 0).collect()).collect();
        let mut classes: Vec<Vec<usize>> = Vec::new();
        let mut class_of = vec![0; e_n];
        let mut keys: Vec<&Vec<Cell>> = Vec::new();
        for (e, el) in eligible.iter().enumerate() {
            match keys.iter().position(|k| *k == el) {
                Some(c) => {
                    classes[c].push(e);
                    class_of[e] = c;
                }
                None => {
                    keys.push(el);
                    classes.push(vec![e]);
                    class_of[e] = classes.len() - 1;
                }
            }
        }
        let requests = (inst.on_requests.iter().map(|r| (r, true)))
            .chain(inst.off_requests.iter().map(|r| (r, false)))
            .filter(|(r, _)| r.staff < e_n && r.day < d_n && r.shift < s_n)
            .map(|(r, on)| (r.staff, r.day, r.shift as Cell, on))
            .collect();
        let mut gidx = vec![Vec::new(); d_n * v_n];
        for (i, g) in inst.group_covers.iter().enumerate() {
            for &s in &g.shifts {
                gidx[g.day * v_n + s].push(i as u32);
            }
        }
        let (night, holiday, fair_w) = match &inst.fairness {
            Some(f) => (f.night_shifts.clone(), f.holidays.clone(), i64::from(f.weight)),
            None => (vec![false; s_n], vec![false; d_n], 0),
        };
        let carry = (0..e_n).map(|e| inst.fairness.as_ref().map_or([0; 4], |f| f.carried(e))).collect();
        let days_off = inst.staff.iter().flat_map(|p| (0..d_n).map(move |d| p.days_off[d])).collect();
        let elig = inst.staff.iter().flat_map(|p| (0..s_n).map(move |s| p.max_shifts[s] > 0)).collect();
        let has_req = (0..e_n * d_n).map(|i| req[i * v_n..(i + 1) * v_n].iter().any(|&r| r != 0)).collect();
        let has_excused = inst.staff.iter().map(|p| p.excused.iter().any(|&x| x)).collect();
        Ctx {
            inst,
            e_n,
            d_n,
            s_n,
            off: s_n as Cell,
            minutes: inst.shifts.iter().map(|s| s.minutes).collect(),
            forbid,
            req,
            eligible,
            can_work,
            requests,
            class_of,
            classes,
            gidx,
            night,
            holiday,
            fair_w,
            carry,
            orig: None,
            change_w: 0,
            max_changes: None,
            stall_stop: None,
            days_off,
            elig,
            has_req,
            has_excused,
        }
    }

    /// May person e take value v on day d at all (off always; a shift only if eligible and not
    /// a fixed day off)?
    #[inline]
    pub fn allowed(&self, e: usize, d: usize, v: Cell) -> bool {
        v == self.off || (!self.days_off[e * self.d_n + d] && self.elig[e * self.s_n + v as usize])
    }

    /// Scores one row: (hard units, soft cost of requests + fairness + repair changes).
    /// `counts` is scratch space of at least `s_n` entries.
    pub fn row_cost(&self, e: usize, row: &[Cell], counts: &mut [u32]) -> (i64, i64) {
        let p = &self.inst.staff[e];
        let (d_n, s_n, off) = (self.d_n, self.s_n, self.off);
        counts[..s_n].iter_mut().for_each(|c| *c = 0);
        let req = &self.req[e * d_n * (s_n + 1)..(e + 1) * d_n * (s_n + 1)];
        let mut hard: i64 = 0;
        let mut soft: i64 = 0;
        let mut minutes: u32 = 0;
        let (mut nights, mut wkdays, mut hols) = (0i64, 0i64, 0i64);
        // Weekends worked with one day / with both days, for a graded weekend penalty.
        let (mut wk1, mut wk2) = (0u32, 0u32);
        let mut wk_days = 0u32;
        // Current run: start day and whether it is a work run; off runs remember excusal.
        let mut run_start = 0usize;
        let mut prev: Cell = off;
        let mut off_excused = false;
        let (min_c, max_c, min_off) = (p.min_consecutive, p.max_consecutive, p.min_days_off);
        for d in 0..d_n {
            let v = row[d];
            soft += i64::from(req[d * (s_n + 1) + v as usize]);
            let working = v != off;
            if d > 0 && working != (prev != off) {
                // Close the run [run_start, d).
                let len = (d - run_start) as u32;
                if prev != off {
                    if len > max_c {
                        hard += i64::from(len - max_c);
                    }
                    let excused = (run_start > 0 && p.excused[run_start - 1]) || p.excused[d];
                    if run_start > 0 && !excused && len < min_c {
                        hard += i64::from(min_c - len);
                    }
                } else if run_start > 0 && !off_excused && len < min_off {
                    hard += i64::from(min_off - len);
                }
                run_start = d;
                off_excused = false;
            }
            if working {
                let s = v as usize;
                if p.days_off[d] {
                    hard += 1;
                }
                counts[s] += 1;
                minutes += self.minutes[s];
                if prev != off && self.forbid[prev as usize * s_n + s] {
                    hard += 1;
                }
                if self.night[s] {
                    nights += 1;
                }
                if self.holiday[d] {
                    hols += 1;
                }
                if d % 7 >= 5 {
                    wkdays += 1;
                    wk_days += 1;
                }
            } else {
                off_excused |= p.excused[d];
            }
            if d % 7 == 6 || d == d_n - 1 {
                match wk_days {
                    0 => {}
                    1 => wk1 += 1,
                    _ => wk2 += 1,
                }
                wk_days = 0;
            }
            prev = v;
        }
        // The last run touches the horizon end: only the maximum applies.
        if prev != off {
            let len = (d_n - run_start) as u32;
            if len > max_c {
                hard += i64::from(len - max_c);
            }
        }
        for (c, m) in counts[..s_n].iter().zip(&p.max_shifts) {
            hard += i64::from(c.saturating_sub(*m));
        }
        // One unit per (started) 8 h: a missing shift weighs like one broken run, so trading
        // one for the other is a neutral step the search can take.
        if minutes > p.max_minutes {
            hard += i64::from((minutes - p.max_minutes).div_ceil(MINUTES_PER_UNIT));
        } else if minutes < p.min_minutes {
            hard += i64::from((p.min_minutes - minutes).div_ceil(MINUTES_PER_UNIT));
        }
        // Price excess weekends by the days that must be cleared to drop them, cheapest first,
        // so that clearing one day of a two-day weekend already counts as progress.
        let excess = (wk1 + wk2).saturating_sub(p.max_weekends);
        if excess > 0 {
            let ones = excess.min(wk1);
            hard += i64::from(ones + 2 * (excess - ones));
        }
        if self.fair_w > 0 {
            let n: i64 = counts[..s_n].iter().map(|&c| i64::from(c)).sum();
            let c = self.carry[e];
            soft += self.fair_soft([c[0] + n, c[1] + nights, c[2] + wkdays, c[3] + hols]);
        }
        if let Some(orig) = &self.orig {
            let o = &orig[e * d_n..(e + 1) * d_n];
            let changed = o.iter().zip(row).filter(|(a, b)| a != b).count() as i64;
            soft += self.change_w * changed;
        }
        (hard, soft)
    }
}
