//! The targeted moves: each draws something the roster lacks (a missing shift, a request not
//! granted, a half-worked weekend) and proposes a short list of cell changes aimed at it.

use super::row::{Cell, Ctx};
use super::state::State;
use super::{Rng, COVER_BLOCK, MAX_BLOCK};

/// Targets a missing person: finds an under-covered (day, shift) and puts someone eligible on
/// it — by adding the shift, by changing their shift that day, or by moving one of their
/// shifts from a nearby day (which keeps their totals).
pub(super) fn fill_gap(ctx: &Ctx<'_>, st: &State<'_, '_>, rng: &mut Rng, out: &mut Vec<(usize, usize, Cell)>) {
    let (d_n, s_n, off) = (ctx.d_n, ctx.s_n, ctx.off);
    for _ in 0..8 {
        let (d, s) = (rng.below(d_n), rng.below(s_n));
        if !st.deficit(d, s as Cell) || ctx.can_work[s].is_empty() {
            continue;
        }
        let e = ctx.can_work[s][rng.below(ctx.can_work[s].len())];
        if ctx.days_off[e * d_n + d] {
            return;
        }
        let cur = st.get(e, d);
        out.push((e, d, s as Cell));
        if cur == off && rng.below(2) == 0 {
            let d2 = super::near_day(d, d_n, rng.below(2 * MAX_BLOCK + 1));
            if d2 != d && st.get(e, d2) != off {
                out.push((e, d2, off));
            }
        }
        return;
    }
}

/// Aimed at the requests: draws a request that is not granted and swaps a block of days
/// around it between its person and a partner who (for an on-request) works the wanted shift
/// that day, or (for an off-request) does not — cover stays put, the request is granted, and
/// the block (1–5 days) lets the swap carry whole runs.
pub(super) fn request_swap(ctx: &Ctx<'_>, st: &State<'_, '_>, rng: &mut Rng, out: &mut Vec<(usize, usize, Cell)>) {
    let d_n = ctx.d_n;
    if ctx.requests.is_empty() {
        return;
    }
    let ok = |p: usize, day: usize, v: Cell| ctx.allowed(p, day, v);
    for _ in 0..8 {
        let (e, d, s, on) = ctx.requests[rng.below(ctx.requests.len())];
        let cur = st.get(e, d);
        if (cur == s) != on {
            continue;
        }
        // A partner: for an on-request someone working s that day, else anyone whose value
        // that day is not s.
        let mut partner = None;
        for _ in 0..8 {
            let e2 = rng.below(ctx.e_n);
            let v2 = st.get(e2, d);
            if e2 != e && ((on && v2 == s) || (!on && v2 != s)) && ok(e, d, v2) && ok(e2, d, cur) {
                partner = Some(e2);
                break;
            }
        }
        let Some(e2) = partner else { return };
        let a = d.saturating_sub(rng.below(3));
        let b = (d + 1 + rng.below(3)).min(d_n);
        for t in a..b {
            let (x, y) = (st.get(e, t), st.get(e2, t));
            if x != y {
                if !ok(e, t, y) || !ok(e2, t, x) {
                    if t < d {
                        out.clear();
                        continue;
                    }
                    break;
                }
                out.push((e, t, y));
                out.push((e2, t, x));
            }
        }
        return;
    }
}

/// The cover chain aimed at an on-request instead of a missing shift: draws an on-request not
/// granted; if its person works another type that day the shift is retyped, else the person
/// gets a block of 1–4 days around it (the wanted shift on the request day, on the other free
/// days the value their requests like best, a type missing there first), and half the time
/// as many of their shifts are dropped, from the first day on (after a random one) whose
/// cover is in surplus or whose shift breaks an off-request of theirs — the person's totals
/// stay nearly put while the request is granted.
pub(super) fn request_chain(ctx: &Ctx<'_>, st: &State<'_, '_>, rng: &mut Rng, out: &mut Vec<(usize, usize, Cell)>) {
    let (d_n, off, v_n) = (ctx.d_n, ctx.off, ctx.s_n + 1);
    if ctx.requests.is_empty() {
        return;
    }
    for _ in 0..8 {
        let (e, d, s, on) = ctx.requests[rng.below(ctx.requests.len())];
        if !on || st.get(e, d) == s {
            continue;
        }
        if !ctx.allowed(e, d, s) {
            return;
        }
        if st.get(e, d) != off {
            out.push((e, d, s));
            return;
        }
        let elig = &ctx.eligible[e];
        let req = |t: usize, c: Cell| ctx.req[(e * d_n + t) * v_n + c as usize];
        let block = give_block(ctx, st, rng, e, d, out, |rng, t| {
            if t == d {
                return s;
            }
            let k0 = rng.below(elig.len().max(1));
            let mut pick = s;
            let mut key = (i32::MAX, true);
            for k in 0..elig.len() {
                let c = elig[(k0 + k) % elig.len()];
                let kc = (req(t, c), !st.deficit(t, c));
                if kc < key {
                    key = kc;
                    pick = c;
                }
            }
            pick
        });
        // A shift the person asked not to work (an off-request) is as good a place to pay.
        pay_back(ctx, st, rng, e, block, |t, v| st.surplus(t, v) || req(t, v) > req(t, off), out);
        return;
    }
}

/// Finds an under-covered (day, shift) and draws it (32 tries).
fn find_deficit(ctx: &Ctx<'_>, st: &State<'_, '_>, rng: &mut Rng) -> Option<(usize, usize)> {
    for _ in 0..32 {
        let (d, s) = (rng.below(ctx.d_n), rng.below(ctx.s_n));
        if st.deficit(d, s as Cell) && !ctx.can_work[s].is_empty() {
            return Some((d, s));
        }
    }
    None
}

/// An ejection-chain style move aimed at under-cover: finds a missing (day, shift), gives one
/// eligible person who is off that day a short block of shifts around it (each day the shift
/// type most missing there, else the same type), and with probability ½ pays for it by
/// dropping as many of that person's shifts elsewhere, starting at a day whose cover is in
/// surplus — so totals, and often the run structure, stay put while cover moves to the gap.
pub(super) fn cover_chain(ctx: &Ctx<'_>, st: &State<'_, '_>, rng: &mut Rng, out: &mut Vec<(usize, usize, Cell)>) {
    let Some((d, s)) = find_deficit(ctx, st, rng) else { return };
    let e = ctx.can_work[s][rng.below(ctx.can_work[s].len())];
    if ctx.days_off[e * ctx.d_n + d] || st.get(e, d) != ctx.off {
        return;
    }
    let elig = &ctx.eligible[e];
    let block = give_block(ctx, st, rng, e, d, out, |rng, t| {
        let k0 = rng.below(elig.len().max(1));
        (0..elig.len()).map(|k| elig[(k0 + k) % elig.len()]).find(|&c| st.deficit(t, c)).unwrap_or(s as Cell)
    });
    pay_back(ctx, st, rng, e, block, |t, v| st.surplus(t, v), out);
}

/// Gives person `e` a block of 1–`COVER_BLOCK` days around day `d`: each day of it they are off
/// gets the value `pick` chooses. A fixed day off before `d` restarts the block after it; one
/// after `d` ends it. Returns the block's days `a..b`.
fn give_block(
    ctx: &Ctx<'_>,
    st: &State<'_, '_>,
    rng: &mut Rng,
    e: usize,
    d: usize,
    out: &mut Vec<(usize, usize, Cell)>,
    mut pick: impl FnMut(&mut Rng, usize) -> Cell,
) -> (usize, usize) {
    let d_n = ctx.d_n;
    let len = 1 + rng.below(COVER_BLOCK);
    let a = d.saturating_sub(rng.below(len));
    let b = (a + len).min(d_n);
    for t in a..b {
        if st.get(e, t) != ctx.off {
            continue;
        }
        if ctx.days_off[e * d_n + t] {
            if t < d {
                out.clear();
                continue;
            }
            break;
        }
        let v = pick(rng, t);
        out.push((e, t, v));
    }
    (a, b)
}

/// Half the time, pays for the shifts a chain just gave person `e` inside the block `a..b`
/// (all of `out`) by dropping as many of their worked days outside it: from the first day,
/// after a random one, whose shift `pay` accepts, then the days after it while they are worked.
fn pay_back(
    ctx: &Ctx<'_>,
    st: &State<'_, '_>,
    rng: &mut Rng,
    e: usize,
    (a, b): (usize, usize),
    pay: impl Fn(usize, Cell) -> bool,
    out: &mut Vec<(usize, usize, Cell)>,
) {
    let (d_n, off) = (ctx.d_n, ctx.off);
    if out.is_empty() || rng.below(2) == 0 {
        return;
    }
    let outside = |t: usize| t + 1 < a || t > b;
    let added = out.len();
    let start = rng.below(d_n);
    let from = (0..d_n.min(56)).map(|k| (start + k) % d_n).find(|&t| {
        let v = st.get(e, t);
        outside(t) && v != off && pay(t, v)
    });
    let Some(mut t) = from else { return };
    while out.len() < 2 * added && t < d_n && outside(t) && st.get(e, t) != off {
        out.push((e, t, off));
        t += 1;
    }
}

/// Aimed at the weekend limit, which binds on most benchmark instances (weekend demand at or
/// above what the people's allowed weekends can give): a weekend with one day worked spends
/// an allowance on half its capacity. Half the time this completes such a weekend — the free
/// day gets a shift type missing there (if none is missing, no move: a shift there would only
/// be over-cover), and half of those times one of the person's shifts on a surplus-covered
/// day elsewhere is dropped to pay for it; the other half exchanges two weekends of one
/// person, which moves weekend cover from one week to another with the person's totals
/// unchanged.
pub(super) fn weekend_move(ctx: &Ctx<'_>, st: &State<'_, '_>, rng: &mut Rng, out: &mut Vec<(usize, usize, Cell)>) {
    let (d_n, off) = (ctx.d_n, ctx.off);
    let weeks = d_n / 7; // weeks whose Sunday lies inside the horizon
    if weeks == 0 {
        return;
    }
    let e = rng.below(ctx.e_n);
    if rng.below(2) == 0 {
        for _ in 0..4 {
            let sat = 7 * rng.below(weeks) + 5;
            let (a, b) = (st.get(e, sat), st.get(e, sat + 1));
            if (a == off) == (b == off) {
                continue;
            }
            let t = if a == off { sat } else { sat + 1 };
            let elig = &ctx.eligible[e];
            let k0 = rng.below(elig.len().max(1));
            let Some(v) = (0..elig.len()).map(|k| elig[(k0 + k) % elig.len()]).find(|&c| st.deficit(t, c)) else {
                return;
            };
            if !ctx.allowed(e, t, v) {
                return;
            }
            out.push((e, t, v));
            if rng.below(2) == 0 {
                let start = rng.below(d_n);
                for k in 0..d_n.min(56) {
                    let u = (start + k) % d_n;
                    let x = st.get(e, u);
                    if (u + 1 < sat || u > sat + 2) && x != off && st.surplus(u, x) {
                        out.push((e, u, off));
                        break;
                    }
                }
            }
            return;
        }
    } else {
        let (w1, w2) = (rng.below(weeks), rng.below(weeks));
        if w1 == w2 {
            return;
        }
        for k in 5..7 {
            let (t1, t2) = (7 * w1 + k, 7 * w2 + k);
            let (x, y) = (st.get(e, t1), st.get(e, t2));
            if x != y {
                if !ctx.allowed(e, t1, y) || !ctx.allowed(e, t2, x) {
                    out.clear();
                    return;
                }
                out.push((e, t1, y));
                out.push((e, t2, x));
            }
        }
    }
}

/// Repair's first step: each under-covered (day, shift), in order, gets the one person off
/// that day whose taking it lowers the cost most without breaking a hard rule (every candidate
/// priced exactly, change price included), within the bound on changed cells. Deterministic;
/// the annealing then polishes from there. A gap filled this way costs one scan instead of
/// waiting for random moves to find it among days × shift types pairs.
pub(super) fn fill_gaps_greedily(ctx: &Ctx<'_>, st: &mut State<'_, '_>) {
    let (d_n, s_n) = (ctx.d_n, ctx.s_n);
    let orig = ctx.orig.as_deref().unwrap_or(&[]);
    let mut changed = orig.iter().zip(&st.cells).filter(|(a, b)| a != b).count();
    for d in 0..d_n {
        for s in 0..s_n {
            while st.deficit(d, s as Cell) && ctx.max_changes.is_none_or(|m| changed < m) {
                let mut pick: Option<(i64, usize)> = None;
                for &e in &ctx.can_work[s] {
                    if st.get(e, d) != ctx.off || !ctx.allowed(e, d, s as Cell) || st.row_hard[e] > 0 {
                        continue;
                    }
                    let mv = [(e, d, s as Cell)];
                    if let Some((dh, ds)) = st.delta_below(&mv, 1.0, f64::INFINITY) {
                        if dh == 0 && ds < 0 && pick.is_none_or(|(c, _)| ds < c) {
                            pick = Some((ds, e));
                        }
                    }
                    st.rollback(&mv);
                }
                let Some((_, e)) = pick else { break };
                let mv = [(e, d, s as Cell)];
                if let Some((dh, ds)) = st.delta_below(&mv, 1.0, f64::INFINITY) {
                    st.commit(dh, ds);
                    changed += usize::from(orig.get(e * d_n + d) != Some(&(s as Cell)));
                } else {
                    st.rollback(&mv);
                    break;
                }
            }
        }
    }
}
