#!/usr/bin/env python3
"""OR-Tools CP-SAT model of the Curtois–Qu instances, for comparison with Bastion's engine.

    python3 bench/roster/cpsat.py DIR SECONDS [FIRST LAST]

Same hard constraints (including the edge rule: runs touching the first or last day are not
held to minimum lengths), same objective, 2 workers, same wall-clock limit per instance
(model building is included in the limit's budget as far as possible: the solver gets what is
left). Prints: instance, objective (or status), best bound, best known, gap %, seconds.
"""
import sys
import time

from ortools.sat.python import cp_model

BEST = [607, 828, 1001, 1716, 1143, 1950, 1056, 1300, 439, 4631, 3443, 4040, 1348, 1278,
        3829, 3225, 5746, 4459, 3149, 4769, 21133, 30241, 17428, 42463]


def parse(path):
    secs, cur = {}, None
    for raw in open(path, encoding="utf-8"):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            cur = line
            secs[cur] = []
            continue
        secs[cur].append([f.strip() for f in line.split(",")])
    days = int(secs["SECTION_HORIZON"][0][0])
    shifts = [r[0] for r in secs["SECTION_SHIFTS"]]
    length = {r[0]: int(r[1]) for r in secs["SECTION_SHIFTS"]}
    forbid = {r[0]: [x for x in (r[2] if len(r) > 2 else "").split("|") if x]
              for r in secs["SECTION_SHIFTS"]}
    staff = []
    for r in secs["SECTION_STAFF"]:
        mx = {p.split("=")[0]: int(p.split("=")[1]) for p in r[1].split("|") if p}
        staff.append(dict(id=r[0], max=mx, maxmin=int(r[2]), minmin=int(r[3]), maxc=int(r[4]),
                          minc=int(r[5]), minoff=int(r[6]), maxw=int(r[7])))
    off = {s["id"]: set() for s in staff}
    for r in secs.get("SECTION_DAYS_OFF", []):
        off[r[0]].update(int(x) for x in r[1:] if x)
    on = [(r[0], int(r[1]), r[2], int(r[3])) for r in secs.get("SECTION_SHIFT_ON_REQUESTS", [])]
    offr = [(r[0], int(r[1]), r[2], int(r[3])) for r in secs.get("SECTION_SHIFT_OFF_REQUESTS", [])]
    cover = [(int(r[0]), r[1], max(0, int(r[2])), int(r[3]), int(r[4]))
             for r in secs["SECTION_COVER"]]
    return days, shifts, length, forbid, staff, off, on, offr, cover


def solve(path, limit):
    t0 = time.time()
    days, shifts, length, forbid, staff, off, on, offr, cover = parse(path)
    m = cp_model.CpModel()
    x = {}
    work = {}
    for p in staff:
        if time.time() - t0 > limit:
            return None, None, "BUILD_TIMEOUT", time.time() - t0
        e = p["id"]
        for d in range(days):
            for s in shifts:
                if p["max"].get(s, 0) > 0 and d not in off[e]:
                    x[e, d, s] = m.NewBoolVar("")
            vs = [x[e, d, s] for s in shifts if (e, d, s) in x]
            w = m.NewBoolVar("")
            m.Add(sum(vs) == w)
            work[e, d] = w
        for s in shifts:
            vs = [x[e, d, s] for d in range(days) if (e, d, s) in x]
            if vs:
                m.Add(sum(vs) <= p["max"].get(s, 0))
        total = sum(length[s] * x[e, d, s] for d in range(days) for s in shifts if (e, d, s) in x)
        m.Add(total <= p["maxmin"])
        m.Add(total >= p["minmin"])
        for d in range(days - 1):
            for a in shifts:
                for b in forbid[a]:
                    if (e, d, a) in x and (e, d + 1, b) in x:
                        m.AddBoolOr([x[e, d, a].Not(), x[e, d + 1, b].Not()])
        for d in range(days - p["maxc"]):
            m.Add(sum(work[e, t] for t in range(d, d + p["maxc"] + 1)) <= p["maxc"])
        # Minimum lengths for runs that do not touch the horizon's edges.
        for k in range(1, p["minc"]):
            for d in range(1, days - k):
                m.AddBoolOr([work[e, d - 1]] + [work[e, t].Not() for t in range(d, d + k)]
                            + [work[e, d + k]])
        for k in range(1, p["minoff"]):
            for d in range(1, days - k):
                m.AddBoolOr([work[e, d - 1].Not()] + [work[e, t] for t in range(d, d + k)]
                            + [work[e, d + k].Not()])
        wks = []
        for w in range(days // 7):
            wk = m.NewBoolVar("")
            m.AddMaxEquality(wk, [work[e, 7 * w + 5], work[e, 7 * w + 6]])
            wks.append(wk)
        m.Add(sum(wks) <= p["maxw"])
    terms = []
    for e, d, s, wgt in on:
        terms.append(wgt * (1 - x[e, d, s]) if (e, d, s) in x else wgt)
    for e, d, s, wgt in offr:
        if (e, d, s) in x:
            terms.append(wgt * x[e, d, s])
    if time.time() - t0 > limit:
        return None, None, "BUILD_TIMEOUT", time.time() - t0
    for d, s, req, wu, wo in cover:
        n = sum(x[p["id"], d, s] for p in staff if (p["id"], d, s) in x)
        under = m.NewIntVar(0, req, "")
        over = m.NewIntVar(0, len(staff), "")
        m.Add(n - req == over - under)
        terms += [wu * under, wo * over]
    m.Minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = max(1.0, limit - (time.time() - t0))
    st = solver.Solve(m)
    secs = time.time() - t0
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return int(solver.ObjectiveValue()), int(solver.BestObjectiveBound()), solver.StatusName(st), secs
    return None, None, solver.StatusName(st), secs


def main():
    d, limit = sys.argv[1], float(sys.argv[2])
    first, last = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (1, 24)
    print("instance\tobjective\tbound\tbest\tgap%\tseconds\tstatus", flush=True)
    for n in range(first, last + 1):
        obj, bound, status, secs = solve(f"{d}/Instance{n}.txt", limit)
        best = BEST[n - 1]
        gap = f"{100 * (obj - best) / best:.2f}" if obj is not None else "-"
        print(f"Instance{n}\t{obj if obj is not None else status}\t{bound}\t{best}\t{gap}\t{secs:.1f}\t{status}",
              flush=True)


if __name__ == "__main__":
    main()
