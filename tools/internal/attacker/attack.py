#!/usr/bin/env python3
"""An attacker of the published tables, written apart from wco's protector.

It reads only what the site publishes: the history of releases
(history.json, beside the tables in data/current: every version of every
released period, with the filings published with it), and, with
--current, the tables in place. It shares no code with wco: its model of
what a reader knows is written here from the published files' meaning,
and it bounds counts by integer programming, where wco uses its own
simplex with branch and bound. The programs are solved by scipy's HiGHS
where its answer can be proved optimal, and by COIN-OR's CBC otherwise
(Debian's python3-scipy and coinor-cbc).

What a reader knows, and this attacker uses:
  - a breakdown adds up to its period's total (force types: each at most
    the total); the catalog's links (not transferred = released + still in
    custody; not referred to the State's Attorney = referred "N"; each
    force type at most the incidents with force);
  - a year version adds up the quarter versions it names ("sums");
  - a published filing lists records of its version: the length of each
    list, and how many rows carry each value, per quarter;
  - two versions of one period differ by what a revision added and
    removed; where every count can have grown, the reader may assume
    records were only added (tried, kept when consistent).

It replays the releases in the order they were made. At each, it bounds
every hidden count and every change between two versions of a count, and
holds against the release what it tells beyond the same reader without the
release's protected counts (the figures a rule requires stay known). A
finding is a suppressed count (at least 1) narrowed to fewer than k whole
values, a withheld count (0 or more) or a change proved nonzero within
fewer than k.

Usage: attack.py --history data/current/history.json [--current data/current] [--k 11]
(the filings of each version are read from filings.json beside history.json)
Prints a JSON report; exits 1 when it finds anything, 2 on bad input.
"""

import argparse
import datetime
import json
import math
import os
import sys

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

FREE = {"unreleased", "provisional"}

# The catalog's links, read from the data dictionary's meaning.
LINKS = {
    "detainer_log": [("sum", ("receiving_agency", "NONE"), ("disposition", ["RELEASED", "IN_CUSTODY"]))],
    "assistance_requests": [
        ("sum", ("dhs_request", "Y"), ("requesting_agency", ["ICE", "CBP", "HSI"])),
        ("sum", ("dhs_request", "N"), ("requesting_agency", ["OTHER_FEDERAL"])),
    ],
    "federal_incidents": [
        ("sum", ("sao_status", "NOT_REFERRED"), ("referred_to_sao", ["N"])),
        ("bound", "force_type", ("use_of_force", "Y")),
        ("atleast", ("persons_detained", "Y"), ("us_citizens_detained", "Y")),
    ],
}

# What each list of each filing tells: the export, the records it holds
# (a dimension and its values; None: all), and per column either a map
# from a cell's words to a dimension's value, or (dimension, value when
# filled, value when empty).
RESPONSES = {"Declined": "DECLINED", "Referred to a supervisor": "REFERRED_SUPERVISOR",
             "Assistance given under a criminal warrant": "PROVIDED_CRIMINAL_WARRANT",
             "Assistance given without a criminal warrant": "PROVIDED"}
DISPOSITIONS = {"Released": "RELEASED", "Neither: still in custody": "IN_CUSTODY"}  # "Transferred" is two codes
CUSTODIANS = {"ICE": "ICE", "CBP": "CBP", "U.S. Marshals Service": "USMS", "Cook County Sheriff": "COOK_COUNTY", "Other agency": "OTHER"}
SECTIONS = {
    ("mcc-2-173-069", "oemc-notifications"): ("assistance_requests", None, [None]),
    ("mcc-2-173-069", "detainers"): ("detainer_log", ("request_type", ["DETAINER", "ADMIN_WARRANT"]),
                                     [None, ("disposition", {"Yes": "TRANSFERRED_FEDERAL"}),
                                      ("receiving_agency", {"ICE": "ICE", "CBP": "CBP", "USMS": "USMS"})]),
    ("ilcs-805-25", "dhs-requests"): ("assistance_requests", ("requesting_agency", ["ICE", "CBP", "HSI"]),
                                      [None, ("response", RESPONSES)]),
    ("ilcs-805-25", "detainers"): ("detainer_log", ("request_type", ["DETAINER", "ADMIN_WARRANT", "NOTIFICATION"]),
                                   [None, ("bail_posted", "Y", "N"), ("disposition", DISPOSITIONS), None,
                                    ("receiving_agency", CUSTODIANS)]),
    ("ilcs-805-25", "visa-certifications"): ("visa_certifications", None,
                                             [None, ("decision", "CERTIFIED", None), ("decision", "DENIED", None)]),
}


def quarter_of(day):
    d = datetime.date.fromisoformat(day)
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


class System:
    """Variables are hidden counts; a published count is a constant."""

    def __init__(self):
        self.var = {}       # key -> index
        self.lb = []
        self.const = {}     # key -> published value
        self.rows = []      # (coef {var: c}, lo, hi, tables it reads)
        self.targets = []   # (key, kind, expr) ; expr = ({var: c}, constant)
        self.table = {}     # key -> table label
        self.exact = set()  # keys of exact figures
        self.changes = {}   # change target -> the two tables it compares

    def value(self, key):
        """A key's expression: ({var: 1}, 0) or ({}, value)."""
        if key in self.var:
            return {self.var[key]: 1.0}, 0.0
        return {}, float(self.const[key])

    def add_cell(self, key, count, label, exact, reason, free=False):
        self.table[key] = label
        st = count["status"]
        if exact and st == "published":
            self.exact.add(key)
        if st == "published":
            self.const[key] = count["count"]
            return
        if st == "not_applicable":
            return
        i = len(self.lb)
        self.var[key] = i
        if st == "suppressed":
            self.lb.append(1)
            if not free:
                self.targets.append((key, "suppressed", ({i: 1.0}, 0.0)))
        elif st == "withheld":
            self.lb.append(0)
            if not free and reason not in FREE:
                self.targets.append((key, "withheld", ({i: 1.0}, 0.0)))
        else:
            raise ValueError(f"{key}: status {st!r}")

    def relate(self, terms, lo, hi):
        """Adds lo <= sum(c * key) <= hi; terms: [(c, key)]."""
        coef, shift = {}, 0.0
        for c, key in terms:
            if key not in self.var and key not in self.const:
                return False
            e, k = self.value(key)
            for v, x in e.items():
                coef[v] = coef.get(v, 0.0) + c * x
            shift += c * k
        coef = {v: c for v, c in coef.items() if c != 0}
        if not coef:
            if lo - 1e-9 <= shift <= hi + 1e-9:
                return True
            raise ValueError(f"published numbers contradict each other: {terms}")
        self.rows.append((coef, lo - shift, hi - shift, {self.table.get(k, "") for _, k in terms}))
        return True


def label(period, version):
    return f"{period} v{version}"


def key(export, lbl, dim, value):
    return f"{export} {lbl} total" if dim == "" else f"{export} {lbl} {dim}={value}"


def build(history, export, until, free_new, added_only=None):
    """The reader's system of export over the versions released up to
    until (datetime). With free_new, the protected counts of the versions
    released at until are unknown, as if withheld."""
    s = System()
    tables = []  # (period, version, frozen period dict, released_at, sums, filings, new)
    for r in history["releases"]:
        for v in r["versions"]:
            at = datetime.datetime.fromisoformat(v["released_at"])
            if at > until:
                continue
            for e in v["exports"]:
                if e["export"] == export:
                    tables.append((r["period"], v["version"], e["period"], at, v.get("sums") or [], v.get("filings") or [], at == until))
    for period, version, p, at, sums, filings, new in tables:
        lbl = label(period, version)
        tk = key(export, lbl, "", "")
        exact_total = bool(p.get("total_clause"))
        s.add_cell(tk, p["total"], lbl, exact_total, "", free=free_new and new and not exact_total)
        if free_new and new and not exact_total and tk in s.var:
            s.lb[s.var[tk]] = 0
        if tk not in s.var and tk not in s.const:
            continue
        for b in p["breakdowns"]:
            exact = bool(b.get("clause")) and not b.get("withheld")
            keys = []
            for c in b["cells"]:
                ck = key(export, lbl, b["dimension"], c["value"])
                count = c
                if free_new and new and not exact:
                    count = {"status": "withheld"}
                s.add_cell(ck, count, lbl, exact, b.get("withheld", ""), free=free_new and new and not exact)
                keys.append(ck)
            if b.get("multi"):
                for ck in keys:
                    s.relate([(1, ck), (-1, tk)], -math.inf, 0)
            else:
                s.relate([(1, ck) for ck in keys] + [(-1, tk)], 0, 0)
        for link in LINKS.get(export, []):
            if link[0] == "sum":
                (d, v), (od, ovs) = link[1], link[2]
                own = key(export, lbl, d, v)
                others = [key(export, lbl, od, x) for x in ovs]
                if all(x in s.var or x in s.const for x in [own] + others):
                    s.relate([(1, own)] + [(-1, x) for x in others], 0, 0)
            elif link[0] == "atleast":
                (d, v), (od, ov) = link[1], link[2]
                own, other = key(export, lbl, d, v), key(export, lbl, od, ov)
                if all(x in s.var or x in s.const for x in (own, other)):
                    s.relate([(1, other), (-1, own)], -math.inf, 0)
            else:
                d, (od, ov) = link[1], link[2]
                bound = key(export, lbl, od, ov)
                for b in p["breakdowns"]:
                    if b["dimension"] == d:
                        for c in b["cells"]:
                            s.relate([(1, key(export, lbl, d, c["value"])), (-1, bound)], -math.inf, 0)
        for f in filings:
            scopes = [(lbl, period, None)]
            if len(period) == 4 and len(sums) == 4:
                scopes += [(label(q["period"], q["version"]), q["period"], q["period"]) for q in sums]
            for sec in f["sections"]:
                spec = SECTIONS.get((f["id"], sec["id"]))
                if spec is None:
                    raise ValueError(f"filing {f['id']}: unknown list {sec['id']}")
                sexport, flt, cols = spec
                if sexport != export:
                    continue
                for slbl, sper, q in scopes:
                    rows = [r for r in sec["rows"] if q is None or quarter_of(r[0]) == q]
                    total = key(export, slbl, "", "")
                    if flt is None:
                        s.relate([(1, total)], len(rows), len(rows))
                    else:
                        parts = [key(export, slbl, flt[0], v) for v in flt[1]]
                        s.relate([(1, x) for x in parts], len(rows), len(rows))
                        s.relate([(1, total)], len(rows), math.inf)
                    for ci, col in enumerate(cols):
                        if col is None:
                            continue
                        dim = col[0]
                        counts = {}
                        for r in rows:
                            cell = r[ci]
                            if isinstance(col[1], dict):
                                val = col[1].get(cell)
                            else:
                                val = col[1] if cell != "" else col[2]
                            if val is not None:
                                counts[val] = counts.get(val, 0) + 1
                        values = set(col[1].values()) if isinstance(col[1], dict) else {x for x in col[1:] if x}
                        for val in values:
                            m = counts.get(val, 0)
                            ck = key(export, slbl, dim, val)
                            if flt is None:
                                s.relate([(1, ck)], m, m)
                            else:
                                s.relate([(1, ck)], m, math.inf)
    # Year versions add up the quarter versions they name.
    for period, version, p, at, sums, filings, new in tables:
        if len(sums) != 4:
            continue
        lbl = label(period, version)
        qs = [label(q["period"], q["version"]) for q in sums]
        cells = [("", "")] + [(b["dimension"], c["value"]) for b in p["breakdowns"] for c in b["cells"]]
        for d, v in cells:
            yk = key(export, lbl, d, v)
            parts = [key(export, q, d, v) for q in qs]
            if all(x in s.var or x in s.const for x in [yk] + parts):
                s.relate([(1, x) for x in parts] + [(-1, yk)], 0, 0)
    # Two versions of a period differ by what a revision added and removed.
    by_period = {}
    for period, version, p, at, sums, filings, new in tables:
        by_period.setdefault(period, []).append((version, p))
    pairs = []
    for period in sorted(by_period):
        vs = sorted(by_period[period], key=lambda x: x[0])
        for j in range(1, len(vs)):
            for i in range(j):
                vj, pj = vs[j]
                vi, pi = vs[i]
                cells = [("", "")] + [(b["dimension"], c["value"]) for b in pj["breakdowns"] for c in b["cells"]]
                matched = []
                for d, v in cells:
                    now, before = key(export, label(period, vj), d, v), key(export, label(period, vi), d, v)
                    if all(x in s.var or x in s.const for x in (now, before)):
                        matched.append((now, before))
                        a, ca = s.value(now)
                        b_, cb = s.value(before)
                        expr = dict(a)
                        for var, c in b_.items():
                            expr[var] = expr.get(var, 0.0) - c
                        s.targets.append((f"{export} {period} change v{vi}->v{vj} {d or 'total'}{'=' + v if d else ''}", "change", (expr, ca - cb)))
                        s.changes[s.targets[-1][0]] = {label(period, vj), label(period, vi)}
                if i == j - 1:
                    pairs.append((f"{period} v{vi}->v{vj}", matched))
    return s, pairs


def solve(s, obj, rows, vars_):
    """min obj over the integer points of rows, restricted to vars_; None
    when infeasible, -inf when unbounded.

    HiGHS, as scipy 1.10 ships it, has been seen to call a feasible
    program infeasible and to stop short of an optimum, with and without
    presolve. Its answer is taken only when it is proved: a whole point
    that meets every row and attains the bound of the relaxation (rounded
    up, as the objective has whole coefficients). Otherwise COIN-OR's CBC
    (Debian's coinor-cbc) decides.
    """
    idx = {v: n for n, v in enumerate(vars_)}
    c = np.zeros(len(vars_))
    for v, x in obj.items():
        c[idx[v]] = x
    A = np.zeros((len(rows), len(vars_)))
    lo = np.zeros(len(rows))
    hi = np.zeros(len(rows))
    for n, (coef, l, h) in enumerate(rows):
        for v, x in coef.items():
            A[n, idx[v]] = x
        lo[n], hi[n] = l, h
    lb = np.array([s.lb[v] for v in vars_], dtype=float)
    cons = [LinearConstraint(A, lo, hi)] if rows else []
    relax = milp(c, constraints=cons, integrality=np.zeros(len(vars_)), bounds=Bounds(lb, np.full(len(vars_), np.inf)))
    if relax.status == 3:
        return -math.inf
    if relax.status == 0:
        res = milp(c, constraints=cons, integrality=np.ones(len(vars_)),
                   bounds=Bounds(lb, np.full(len(vars_), np.inf)), options={"presolve": False})
        if res.status == 0 and res.x is not None:
            x = np.round(res.x)
            ok = np.all(np.abs(res.x - x) < 1e-6) and np.all(x >= lb - 1e-9)
            if rows:
                ax = A @ x
                ok = ok and np.all(ax >= lo - 1e-6) and np.all(ax <= hi + 1e-6)
            if ok and abs(float(c @ x) - math.ceil(relax.fun - 1e-6)) < 1e-6:
                return float(c @ x)
    return cbc(c, A, lo, hi, lb)


def cbc(c, A, lo, hi, lb):
    """min c·x over whole x >= lb with lo <= A x <= hi, by COIN-OR's CBC."""
    import subprocess
    import tempfile

    def term(coefs):
        return " ".join(f"{'+' if x >= 0 else '-'} {abs(x):g} x{j}" for j, x in enumerate(coefs) if x != 0) or "0 x0"

    lines = ["Minimize", " obj: " + term(c), "Subject To"]
    for n in range(len(lo)):
        if lo[n] == hi[n]:
            lines.append(f" e{n}: {term(A[n])} = {lo[n]:g}")
            continue
        if lo[n] > -math.inf:
            lines.append(f" l{n}: {term(A[n])} >= {lo[n]:g}")
        if hi[n] < math.inf:
            lines.append(f" u{n}: {term(A[n])} <= {hi[n]:g}")
    lines.append("Bounds")
    lines += [f" x{j} >= {b:g}" for j, b in enumerate(lb)]
    lines += ["General", " " + " ".join(f"x{j}" for j in range(len(lb))), "End"]
    with tempfile.TemporaryDirectory() as d:
        lp, sol = os.path.join(d, "p.lp"), os.path.join(d, "p.sol")
        with open(lp, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run(["cbc", lp, "solve", "solu", sol], check=True, capture_output=True, timeout=600)
        with open(sol) as f:
            head = f.readline()
    if head.startswith("Optimal"):
        return float(head.rsplit(" ", 1)[1])
    if "nfeasible" in head:
        return None
    if "nbounded" in head:
        return -math.inf
    raise ValueError(f"cbc: {head.strip()}")


def components(s):
    parent = list(range(len(s.lb)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for coef, _, _, _ in s.rows:
        vs = list(coef)
        for v in vs[1:]:
            parent[find(v)] = find(vs[0])
    return find


def bounds(s, expr, find):
    coef, constant = expr
    if not coef:
        return constant, constant
    root = find(next(iter(coef)))
    vars_ = [v for v in range(len(s.lb)) if find(v) == root]
    rows = [r[:3] for r in s.rows if find(next(iter(r[0]))) == root]
    lo = solve(s, coef, rows, vars_)
    hi = solve(s, {v: -x for v, x in coef.items()}, rows, vars_)
    if lo is None or hi is None:
        raise ValueError("the published numbers contradict each other")
    return lo + constant, (-hi + constant) if hi != -math.inf else math.inf


def breaches(kind, lo, hi, k):
    narrow = hi - lo < k
    if kind == "withheld":
        return narrow and lo >= 1
    if kind == "change":
        return narrow and (lo >= 1 or hi <= -1)
    return narrow


def feasible(s):
    """Whether the system has an integer point (component by component)."""
    find = components(s)
    roots = sorted({find(v) for v in range(len(s.lb))})
    for root in roots:
        vars_ = [v for v in range(len(s.lb)) if find(v) == root]
        rows = [r[:3] for r in s.rows if find(next(iter(r[0]))) == root]
        if solve(s, {}, rows, vars_) is None:
            return False
    return True


def with_added_only(s, pairs):
    """Adds, pair by pair, that no count went down, where it stays feasible."""
    kept = []
    for name, matched in pairs:
        mark = len(s.rows)
        for now, before in matched:
            s.relate([(1, now), (-1, before)], 0, math.inf)
        if feasible(s):
            kept.append(name)
        else:
            del s.rows[mark:]
    return kept


def attack(history, k):
    events = sorted({datetime.datetime.fromisoformat(v["released_at"]) for r in history["releases"] for v in r["versions"]})
    exports = sorted({e["export"] for r in history["releases"] for v in r["versions"] for e in v["exports"]})
    report = {"events": len(events), "targets": 0, "narrowest": None, "findings": [], "added_only": []}
    for at in events:
        for export in exports:
            s, pairs = build(history, export, at, False)
            base, bpairs = build(history, export, at, True)
            kept = with_added_only(s, pairs)
            # The same assumption for the reader without the release's
            # protected counts.
            names = set(kept)
            for name, matched in bpairs:
                if name in names:
                    for now, before in matched:
                        base.relate([(1, now), (-1, before)], 0, math.inf)
            report["added_only"] += [f"{at.isoformat()} {export} {n}" for n in kept]
            find, bfind = components(s), components(base)
            new_labels = {label(r["period"], v["version"]) for r in history["releases"] for v in r["versions"]
                          if datetime.datetime.fromisoformat(v["released_at"]) == at}
            touched = {find(s.var[x]) for x, lbl in s.table.items() if x in s.var and lbl in new_labels}
            for coef, _, _, labels in s.rows:
                if labels & new_labels:
                    touched.add(find(next(iter(coef))))
            btargets = {t[0]: t for t in base.targets}
            for name, kind, expr in s.targets:
                if expr[0] and not any(find(v) in touched for v in expr[0]):
                    continue
                if not expr[0] and not (s.changes.get(name, set()) & new_labels):
                    continue
                report["targets"] += 1
                lo, hi = bounds(s, expr, find)
                w = hi - lo
                if report["narrowest"] is None or w < report["narrowest"][0]:
                    if kind == "suppressed" or lo >= 1 or hi <= -1:
                        report["narrowest"] = [w, name]
                if not breaches(kind, lo, hi, k):
                    continue
                bexpr = _expr_in(base, name, btargets)
                blo, bhi = bounds(base, bexpr, bfind)
                if (blo, bhi) != (lo, hi):
                    report["findings"].append({"release": at.isoformat(), "export": export, "target": name, "kind": kind,
                                               "min": lo, "max": hi, "without_the_release": [blo, bhi]})
    return report


def _expr_in(base, name, btargets):
    """The target's expression in the baseline system, by its key."""
    if name in btargets:
        return btargets[name][2]
    # A cell free in the baseline is no target there: its variable.
    if name in base.var:
        return {base.var[name]: 1.0}, 0.0
    if name in base.const:
        return {}, float(base.const[name])
    raise ValueError(f"{name}: not in the baseline")


def nightly(current, history):
    """What the tables in place show that they may not: a protected count
    of a period not released."""
    released = {r["period"] for r in history["releases"]}
    out = []
    for name in sorted(os.listdir(current)):
        if not name.endswith(".json") or name in ("history.json",):
            continue
        with open(os.path.join(current, name)) as f:
            t = json.load(f)
        if "periods" not in t or "export" not in t:
            continue
        for p in t["periods"]:
            if p["period"] in released:
                continue
            for b in p["breakdowns"]:
                if not b.get("clause") and b.get("withheld") not in FREE:
                    out.append(f"{t['export']} {p['period']}: {b['dimension']} shown before the period is released")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--history", required=True)
    ap.add_argument("--current")
    ap.add_argument("--k", type=int, default=11)
    a = ap.parse_args()
    try:
        with open(a.history) as f:
            history = json.load(f)
        # The filings frozen with each version are in filings.json beside.
        filings = os.path.join(os.path.dirname(a.history), "filings.json")
        if os.path.exists(filings):
            with open(filings) as f:
                by = {(r["period"], v["version"]): v for r in history["releases"] for v in r["versions"]}
                for pf in json.load(f)["filings"]:
                    by[(pf["period"], pf["version"])].setdefault("filings", []).append(pf)
        report = attack(history, a.k)
        if a.current:
            report["nightly"] = nightly(a.current, history)
    except (OSError, ValueError, KeyError) as e:
        print(f"attack.py: {e}", file=sys.stderr)
        return 2
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 1 if report["findings"] or report.get("nightly") else 0


if __name__ == "__main__":
    sys.exit(main())
