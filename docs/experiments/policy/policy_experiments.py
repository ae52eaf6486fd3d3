#!/usr/bin/env python3
"""The measurements behind the README's fixed-model policy and winner's-curse tables.

Reads what PolicyDump.java wrote for one `carrot train` output (per variant: validation predictions and outcomes from
the artifact's calibration_data, test predictions made by the router itself, realised outcomes) and prints, per
variant:

  rule       the router's own test curve (CARROT's rule at each lambda): area, quality at lambda 0, largest gap
  policy     the fixed-model policy as carrot train fits it (FixedModelPolicy.fit): fixed models' means over train +
             validation, the router's validation curve; its test curve, which must equal carrot's own evaluation
  margin     the winner's-curse rule: at each mu, keep the best fixed model of that mu (train + validation means)
             unless the router's per-prompt favourite beats it in predicted utility by more than delta, with delta
             chosen on the validation prompts from {0, 0.0025, ..., 0.08}; test numbers
  crossfit   the held-out check on validation alone (no test prompt): 25 random halvings of the validation prompts;
             fit on one half (policy: router points and fixed means; margin: delta; the fixed models' means use the
             training prompts and that half), score the area on the other half against the rule's; mean gain and the
             share of halvings it wins

usage: python3 policy_experiments.py DUMP_DIR [DUMP_DIR ...]   (numpy only)
"""
import sys

import numpy as np

GRID = np.arange(1001) / 1000.0
DELTAS = [0, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08]


def load(d, v):
    models = open(f"{d}/models.txt").read().split("\n")
    m = len(models)

    def r(n):
        return np.fromfile(f"{d}/{n}.f64", "<f8").reshape(-1, m)

    return dict(models=models, m=m, scale=float(open(f"{d}/{v}_scale.txt").read()),
                vpq=r(f"{v}_val_pred_quality"), vpc=r(f"{v}_val_pred_cost"), vtq=r(f"{v}_val_true_quality"),
                vtc=r(f"{v}_val_true_cost"), tpq=r(f"{v}_test_pq"), tpc=r(f"{v}_test_pc"), tq=r("test_tq"),
                tc=r("test_tc"), trq=r("train_tq"), trc=r("train_tc"))


def choose(pq, pc, mu, scale):
    """DecisionRule.choose: argmax utility, ties to the lower cost, then the lower index."""
    u = (1 - mu) * pq - mu * pc / scale
    cand = np.where(u == u.max(1, keepdims=True), pc, np.inf)
    return cand.argmin(1)


def rule_choices(pq, pc, scale):
    return np.stack([choose(pq, pc, mu, scale) for mu in GRID])


def outcome(ch, tq, tc):
    idx = np.arange(tq.shape[0])[None, :]
    return tc[idx, ch].mean(1), tq[idx, ch].mean(1)


def area(cost, qual, lo, hi):
    """Metrics.area: the mean over [lo, hi] of Q(c), the best quality at cost <= c."""
    order = np.lexsort((-qual, cost))
    below = cost <= lo
    level = qual[below].max() if below.any() else qual[order[0]]
    at, integ = lo, 0.0
    for i in order:
        c = cost[i]
        if c <= lo:
            continue
        if c >= hi:
            break
        integ += level * (c - at)
        at, level = c, max(level, qual[i])
    return (integ + level * (hi - at)) / (hi - lo)


def largest_gap(cost, qual, scost, squal, models):
    """Metrics.largestGap, within a relative 1e-9 of a model's own cost."""
    best = None
    for j in range(len(scost)):
        c = scost[j]
        if cost.min() - 1e-9 * c <= c <= cost.max() + 1e-9 * c:
            g = squal[j] - qual[cost <= c * (1 + 1e-9)].max()
            best = max(best, (g, models[j])) if best else (g, models[j])
    return best


def best_fixed(sq, sc, mu, scale):
    u = (1 - mu) * sq - mu * sc / scale
    return int(np.lexsort((sc, -u))[0]), u


def policy(rc, rq, sq, sc, scale):
    """FixedModelPolicy.fit: per grid mu the best fixed model if its utility beats the router's, else -1."""
    out = []
    for g, mu in enumerate(GRID):
        j, u = best_fixed(sq, sc, mu, scale)
        out.append(j if u[j] > (1 - mu) * rq[g] - mu * rc[g] / scale else -1)
    return out


def policy_choices(rule_ch, pol, n):
    return np.stack([np.full(n, pol[g]) if pol[g] >= 0 else rule_ch[g] for g in range(len(GRID))])


def margin_choices(pq, pc, sq, sc, scale, delta):
    n = pq.shape[0]
    out = []
    for mu in GRID:
        a, _ = best_fixed(sq, sc, mu, scale)
        u = (1 - mu) * pq - mu * pc / scale
        r = choose(pq, pc, mu, scale)
        out.append(np.where(u[np.arange(n), r] - u[:, a] > delta, r, a))
    return np.stack(out)


def test_summary(D, ch):
    c, q = outcome(ch, D["tq"], D["tc"])
    sc, sq = D["tc"].mean(0), D["tq"].mean(0)
    g = largest_gap(c, q, sc, sq, D["models"])
    return f"area {area(c, q, sc.min(), sc.max()):.4f}  q(0) {q[0]:.4f}  gap {g[0]:+.4f} {g[1]}"


def sub_area(D, ch, rows):
    c, q = outcome(ch[:, rows], D["vtq"][rows], D["vtc"][rows])
    sc = D["vtc"][rows].mean(0)
    return area(c, q, sc.min(), sc.max())


def main(dirs):
    for d in dirs:
        for v in ["knn", "logistic", "blend"]:
            try:
                D = load(d, v)
            except FileNotFoundError:
                continue
            s, n, nv = D["scale"], D["tq"].shape[0], D["vtq"].shape[0]
            aq, ac = np.vstack([D["trq"], D["vtq"]]), np.vstack([D["trc"], D["vtc"]])
            sq, sc = aq.mean(0), ac.mean(0)
            rule_t = rule_choices(D["tpq"], D["tpc"], s)
            rule_v = rule_choices(D["vpq"], D["vpc"], s)
            rc, rq = outcome(rule_v, D["vtq"], D["vtc"])
            pol = policy(rc, rq, sq, sc, s)
            va = []
            for de in DELTAS:
                ch = margin_choices(D["vpq"], D["vpc"], sq, sc, s, de)
                va.append(sub_area(D, ch, np.arange(nv)))
            delta = DELTAS[int(np.argmax(va))]
            print(f"{d} {v}")
            print(f"  rule      {test_summary(D, rule_t)}")
            print(f"  policy    {test_summary(D, policy_choices(rule_t, pol, n))}  "
                  f"(fixed at {sum(p >= 0 for p in pol)} of 1001 mu)")
            print(f"  margin    {test_summary(D, margin_choices(D['tpq'], D['tpc'], sq, sc, s, delta))}  "
                  f"(delta {delta} by validation area)")
            rng = np.random.default_rng(3)
            gp, gm = [], []
            for _ in range(25):
                p = rng.permutation(nv)
                for A, B in [(p[:nv // 2], p[nv // 2:]), (p[nv // 2:], p[:nv // 2])]:
                    hq = np.vstack([D["trq"], D["vtq"][A]]).mean(0)
                    hc = np.vstack([D["trc"], D["vtc"][A]]).mean(0)
                    hrc, hrq = outcome(rule_v[:, A], D["vtq"][A], D["vtc"][A])
                    ph = policy(hrc, hrq, hq, hc, s)
                    gp.append(sub_area(D, policy_choices(rule_v, ph, nv), B) - sub_area(D, rule_v, B))
                    chs = [margin_choices(D["vpq"], D["vpc"], hq, hc, s, de) for de in DELTAS]
                    k = int(np.argmax([sub_area(D, ch, A) for ch in chs]))
                    gm.append(sub_area(D, chs[k], B) - sub_area(D, rule_v, B))
            gp, gm = np.array(gp), np.array(gm)
            print(f"  crossfit  policy {gp.mean():+.4f} (wins {np.mean(gp > 0):.0%}); "
                  f"margin {gm.mean():+.4f} (wins {np.mean(gm > 0):.0%})")


if __name__ == "__main__":
    main(sys.argv[1:])
