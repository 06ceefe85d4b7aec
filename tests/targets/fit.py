#!/usr/bin/env python3
"""Fits a part's cost model to its calibration rows, and reports its error on held-out rows.

    python3 tests/targets/fit.py tests/targets/atmega328p.csv [HELD_OUT.csv]

The rows come from `cargo run --release --example calibrate -- SEED COUNT` (measurements on
the part, with the model's features as piconas_core::target computes them). Two models:

- code: flash − the header's constants (exact) = code_* · c, by least squares; the constant
  term is then raised by the largest under-prediction on the calibration rows, so that the
  model bounds every calibration row from above (a flash budget is a hard limit);
- cycles: work_* · c, by least squares on the relative error (each row weighed by
  1/measured²), so that small and large networks are predicted alike well; a budget checks
  the prediction raised by the margin (in thousandths) of the largest under-prediction on the
  calibration rows, the bound.

Every coefficient is kept at least 0 (a feature whose coefficient comes out negative is
dropped and the rest refitted), which the core relies on to find the space's smallest network.
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


def least_squares(xs, ys, weights, keep):
    """Weighted least squares over the features in `keep` (the others get 0)."""
    cols = [j for j in range(len(xs[0])) if keep[j]]
    a = [[sum(w * x[i] * x[j] for x, w in zip(xs, weights)) for j in cols] for i in cols]
    b = [sum(w * x[i] * y for x, y, w in zip(xs, ys, weights)) for i in cols]
    sol = solve(a, b)
    coef = [0.0] * len(xs[0])
    for j, v in zip(cols, sol):
        coef[j] = v
    return coef


def non_negative(xs, ys, weights):
    """Least squares with every coefficient at least 0: drop the most negative and refit."""
    keep = [any(x[j] for x in xs) for j in range(len(xs[0]))]
    while True:
        coef = least_squares(xs, ys, weights, keep)
        worst = min(range(len(coef)), key=lambda j: coef[j])
        if coef[worst] >= 0:
            return coef
        keep[worst] = False


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


def report(label, rows, code_fit, code, cycles, margin):
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

    print(f"{label}: {len(rows)} architectures")
    print(line("flash (fit)", flash_fit))
    print(line("flash (bound)", flash_err))
    print(line("cycles (fit)", cyc_err))
    print(line("cycles (bound)", bound_err))
    print(f"  static RAM is 4 bytes a feature in every row: {ram_ok}")


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        sys.exit(2)
    rows = read(sys.argv[1])
    code_names, code_fit, code = code_model(rows)
    cycle_names, cycles = cycle_model(rows)
    print("code (bytes, the bound):", ", ".join(f"{n[5:]} {c}" for n, c in zip(code_names, code)))
    print("cycles (1/256 cycle):", ", ".join(f"{n[5:]} {c}" for n, c in zip(cycle_names, cycles)))
    margin = cycle_margin(rows, cycles)
    print(f"    code: {code},")
    print(f"    cycles: {cycles},")
    print(f"    cycles_margin: {margin},")
    report("calibration", rows, code_fit, code, cycles, margin)
    if len(sys.argv) == 3:
        report("held out", read(sys.argv[2]), code_fit, code, cycles, margin)


if __name__ == "__main__":
    main()
