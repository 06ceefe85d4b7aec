#!/usr/bin/env python3
"""Fits a part's cost model to its calibration rows, and reports its error on held-out rows.

    python3 tests/targets/fit.py tests/targets/atmega328p.csv [HELD_OUT.csv]

The rows come from `cargo run --release --example calibrate -- PART SEED COUNT` (measurements on
the part, with the model's features as piconas_core::target computes them). Two models:

- code: flash − the header's constants (exact) = code_* · c, by least squares; the constant
  term is then raised by the largest under-prediction on the calibration rows, so that the
  model bounds every calibration row from above (a flash budget is a hard limit);
- cycles: work_* · c, by least squares on the relative error (each row weighed by
  1/measured²), so that small and large networks are predicted alike well; a budget checks
  the prediction raised by the margin (in thousandths) of the largest under-prediction on the
  calibration rows, the bound.

Every coefficient is kept at least 0 (Lawson and Hanson's non-negative least squares), which
the core relies on to find the space's smallest network. A row whose flash is below its
constants is left out of both fits: the compiler proved the network's class constant and
removed it (arm-none-eabi-gcc does, on a few degenerate networks), which a model of the
network's code cannot predict and a bound need not (it over-predicts such a row).
Prints the coefficients as the core's `Part` fields (code in bytes, cycles in 1/256 cycle,
both rounded up) and the error of those rounded models: on the calibration rows, and on the
held-out rows if given. Python 3 only, no packages: a few hundred rows and a dozen features.
"""
import csv
import math
import sys


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def solve(a, b):
    """x with a x = b (Gaussian elimination with partial pivoting); a is n×n."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        if abs(m[p][c]) < 1e-12:
            raise ValueError(f"feature {c} is not determined by the rows")
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    return [m[i][n] / m[i][i] for i in range(n)]


def normal_equations(xs, ys, weights):
    """AᵀWA and AᵀWy of the weighted least-squares problem."""
    n = len(xs[0])
    ata = [[sum(w * x[i] * x[j] for x, w in zip(xs, weights)) for j in range(n)] for i in range(n)]
    aty = [sum(w * x[i] * y for x, y, w in zip(xs, ys, weights)) for i in range(n)]
    return ata, aty


def restricted(ata, aty, passive):
    """The least-squares solution with only the features in `passive` free (the others 0)."""
    cols = sorted(passive)
    sol = solve([[ata[i][j] for j in cols] for i in cols], [aty[i] for i in cols])
    coef = [0.0] * len(aty)
    for j, v in zip(cols, sol):
        coef[j] = v
    return coef


def non_negative(xs, ys, weights):
    """Weighted least squares with every coefficient at least 0: Lawson and Hanson's active-set
    method (Solving Least Squares Problems, 1974, ch. 23), on the normal equations."""
    ata, aty = normal_equations(xs, ys, weights)
    n = len(aty)
    usable = [j for j in range(n) if ata[j][j] > 0]
    tol = 1e-10 * max(abs(v) for v in aty)
    coef, passive = [0.0] * n, set()

    def gradient(c):
        return [aty[i] - sum(ata[i][j] * c[j] for j in range(n)) for i in range(n)]

    while True:
        g = gradient(coef)
        free = [j for j in usable if j not in passive and g[j] > tol]
        if not free:
            return coef
        passive.add(max(free, key=lambda j: g[j]))
        while True:
            trial = restricted(ata, aty, passive)
            if all(trial[j] > 0 for j in passive):
                coef = trial
                break
            # Step from coef toward trial until the first coefficient reaches 0; it leaves.
            alpha = min(coef[j] / (coef[j] - trial[j]) for j in passive if trial[j] <= 0)
            coef = [c + alpha * (t - c) for c, t in zip(coef, trial)]
            passive = {j for j in passive if coef[j] > tol}
            coef = [c if j in passive else 0.0 for j, c in enumerate(coef)]


def features(rows, prefix):
    names = [k for k in rows[0] if k.startswith(prefix)]
    return names, [[float(r[k]) for k in names] for r in rows]


def code_model(rows):
    names, xs = features(rows, "code_")
    ys = [float(r["flash"]) - float(r["constants"]) for r in rows]
    coef = [math.ceil(c) for c in non_negative(xs, ys, [1.0] * len(ys))]
    # Raised until it bounds every calibration row.
    under = max(y - sum(c * x for c, x in zip(coef, xv)) for xv, y in zip(xs, ys))
    raised = coef[:]
    raised[names.index("code_one")] += max(0, math.ceil(under))
    return names, coef, raised


def cycle_model(rows):
    names, xs = features(rows, "work_")
    ys = [float(r["cycles"]) for r in rows]
    coef = non_negative(xs, ys, [1.0 / y**2 for y in ys])
    return names, [math.ceil(256 * c) for c in coef]


def predict_flash(coef, row):
    names = [k for k in row if k.startswith("code_")]
    return int(row["constants"]) + sum(c * int(row[k]) for c, k in zip(coef, names))


def predict_cycles(coef, row):
    names = [k for k in row if k.startswith("work_")]
    return -(-sum(c * int(row[k]) for c, k in zip(coef, names)) // 256)


def bound_cycles(coef, margin, row):
    return -(-predict_cycles(coef, row) * (1000 + margin) // 1000)


def cycle_margin(rows, coef):
    """Thousandths that raise every calibration row's prediction to at least its measure."""
    return max(0, max(math.ceil(1000 * (int(r["cycles"]) / predict_cycles(coef, r) - 1))
                      for r in rows))


def folded(row):
    """Whether the compiler removed the network (its flash is below its own constants)."""
    return int(row["flash"]) < int(row["constants"])


def report(label, all_rows, code_fit, code, cycles, margin):
    gone = [r for r in all_rows if folded(r)]
    rows = [r for r in all_rows if not folded(r)]
    flash_fit = [predict_flash(code_fit, r) / int(r["flash"]) - 1 for r in rows]
    flash_err = [predict_flash(code, r) / int(r["flash"]) - 1 for r in rows]
    cyc_err = [predict_cycles(cycles, r) / int(r["cycles"]) - 1 for r in rows]
    bound_err = [bound_cycles(cycles, margin, r) / int(r["cycles"]) - 1 for r in rows]
    ram_ok = all(int(r["static_ram"]) == 4 * int(r["inputs"]) for r in rows)

    def line(name, errs):
        a = sorted(abs(e) for e in errs)
        under = sum(e < 0 for e in errs)
        return (f"  {name}: mean |error| {100 * sum(a) / len(a):.2f} %, "
                f"95th percentile {100 * a[int(0.95 * (len(a) - 1))]:.2f} %, "
                f"largest {100 * a[-1]:.2f} %; under-predicted {under} of {len(errs)}"
                + (f" (by at most {100 * -min(errs):.2f} %)" if under else ""))

    print(f"{label}: {len(rows)} architectures" + (
        f" ({len(gone)} more left out, folded by the compiler; the bounds over-predict them: "
        f"{all(predict_flash(code, r) >= int(r['flash']) and bound_cycles(cycles, margin, r) >= int(r['cycles']) for r in gone)})"
        if gone else ""))
    print(line("flash (fit)", flash_fit))
    print(line("flash (bound)", flash_err))
    print(line("cycles (fit)", cyc_err))
    print(line("cycles (bound)", bound_err))
    print(f"  static RAM is 4 bytes a feature in every row: {ram_ok}")


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        sys.exit(2)
    all_rows = read(sys.argv[1])
    rows = [r for r in all_rows if not folded(r)]
    code_names, code_fit, code = code_model(rows)
    cycle_names, cycles = cycle_model(rows)
    print("code (bytes, the bound):", ", ".join(f"{n[5:]} {c}" for n, c in zip(code_names, code)))
    print("cycles (1/256 cycle):", ", ".join(f"{n[5:]} {c}" for n, c in zip(cycle_names, cycles)))
    margin = cycle_margin(rows, cycles)
    print(f"    code: {code},")
    print(f"    cycles: {cycles},")
    print(f"    cycles_margin: {margin},")
    report("calibration", all_rows, code_fit, code, cycles, margin)
    if len(sys.argv) == 3:
        report("held out", read(sys.argv[2]), code_fit, code, cycles, margin)


if __name__ == "__main__":
    main()
