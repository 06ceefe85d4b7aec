//! Standardisation: each feature shifted by its mean and divided by its standard deviation,
//! both measured on the training rows only, so that columns on very different scales (a
//! wine's proline in the thousands, its hue near 1) train alike.
//!
//! One formula for every consumer — the runner, `predict`, the page, the chip and the
//! exported C: `x' = (x − mean) / scale`, two IEEE-754 operations in `f32`, so a row gives the
//! same bits everywhere. [`fit`] measures in `f64` (a million rows of `f32` sums would lose
//! digits) with a fixed order, and rounds once to `f32`. A feature that is constant on the
//! training rows has no spread to divide by: its scale is 1 (it is only shifted), and [`fit`]
//! says which ones were.

const _: () = assert!(
    crate::arch::MAX_INPUTS <= 64,
    "fit reports constant features in a u64"
);

use crate::sample::Rows;

/// Measures each feature's mean and population standard deviation (as scikit-learn's
/// `StandardScaler`) over `train` into `mean` and `scale` (their first `d` entries; shorter
/// slices are filled as far as they go). A feature constant on `train` (or of a subnormal
/// spread) gets scale 1; the return value has bit `j` set for each such feature `j` (there
/// are at most 64). Never panics.
pub fn fit(train: &Rows<'_>, mean: &mut [f32], scale: &mut [f32]) -> u64 {
    let d = train.shape().inputs();
    let n = train.len().max(1) as f64;
    let mut constant = 0u64;
    for (j, (m, s)) in mean.iter_mut().zip(scale.iter_mut()).take(d).enumerate() {
        let column = (0..train.len()).map(|i| f64::from(train.x(i).get(j).copied().unwrap_or(0.0)));
        let mu = column.clone().sum::<f64>() / n;
        let var = column
            .map(|v| {
                let dev = v - mu;
                dev * dev
            })
            .sum::<f64>()
            / n;
        // Never beyond f32: a spread is at most half the range (Popoviciu), ≤ f32::MAX.
        let sd = sqrt_f64(var) as f32;
        *m = mu as f32;
        // A spread whose reciprocal overflows (none at all, or a subnormal one) is no spread.
        if (1.0 / sd).is_finite() {
            *s = sd;
        } else {
            *s = 1.0;
            constant |= 1u64.checked_shl(j as u32).unwrap_or(0);
        }
    }
    constant
}

/// Standardises `x`, rows of `mean.len()` features, in place: `(x − mean) / scale`. A
/// trailing partial row is left as it is.
pub fn apply(x: &mut [f32], mean: &[f32], scale: &[f32]) {
    let d = mean.len().min(scale.len());
    if d == 0 {
        return;
    }
    for row in x.chunks_exact_mut(d) {
        for ((v, &m), &s) in row.iter_mut().zip(mean).zip(scale) {
            *v = (*v - m) / s;
        }
    }
}

/// `√v` for `v ≥ 0` in `f64` (libm's, correctly rounded as IEEE 754 requires).
fn sqrt_f64(v: f64) -> f64 {
    libm::sqrt(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::Shape;

    #[test]
    fn train_rows_get_mean_zero_and_unit_spread_and_a_constant_column_is_only_shifted() {
        // Three features: large, small, constant.
        let x: Vec<f32> = (0..40)
            .flat_map(|i| [1000.0 + 10.0 * i as f32, 0.001 * (i % 7) as f32, 5.0])
            .collect();
        let y: Vec<u8> = (0..40).map(|i| (i % 2) as u8).collect();
        let shape = Shape::new(3, 2).unwrap();
        let rows = Rows::new(&x, &y, shape).unwrap();
        let (mut mean, mut scale) = ([0.0f32; 3], [0.0f32; 3]);
        assert_eq!(fit(&rows, &mut mean, &mut scale), 0b100);
        assert_eq!(mean[2], 5.0);
        assert_eq!(scale[2], 1.0);
        let mut z = x.clone();
        apply(&mut z, &mean, &scale);
        for j in 0..2 {
            let col: Vec<f64> = z.iter().skip(j).step_by(3).map(|&v| f64::from(v)).collect();
            let mu = col.iter().sum::<f64>() / 40.0;
            let var = col.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / 40.0;
            assert!(
                mu.abs() < 1e-5 && (var - 1.0).abs() < 1e-4,
                "feature {j}: {mu} {var}"
            );
        }
        assert!(z.iter().skip(2).step_by(3).all(|&v| v == 0.0));
        // The formula, written out: two f32 operations.
        assert_eq!(z[3], (x[3] - mean[0]) / scale[0]);
    }

    /// `fit` over one column of `values` (label 0, 1, 0, …): its mean, scale and whether it
    /// was reported constant.
    fn fit_column(values: &[f32]) -> (f32, f32, bool) {
        let y: Vec<u8> = (0..values.len()).map(|i| (i % 2) as u8).collect();
        let rows = Rows::new(values, &y, Shape::new(1, 2).unwrap()).unwrap();
        let (mut mean, mut scale) = ([0.0f32], [0.0f32]);
        let constant = fit(&rows, &mut mean, &mut scale);
        (mean[0], scale[0], constant == 1)
    }

    #[test]
    fn the_statistics_are_the_hand_computed_ones() {
        // Mean 2.5; deviations ±0.5, ±1.5: variance (0.25 + 2.25) · 2 / 4 = 1.25.
        let (m, s, c) = fit_column(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!((m, c), (2.5, false));
        assert!((s - 1.118_034).abs() < 1e-6, "{s}");
        // A large mean, a small spread: mean 1e6 + 1, variance 2/3 (population, n = 3).
        let (m, s, _) = fit_column(&[1e6, 1e6 + 1.0, 1e6 + 2.0]);
        assert_eq!(m, 1e6 + 1.0);
        assert!((s - 0.816_496_6).abs() < 1e-6, "{s}");
        // Negative values: mean −2, deviations ±1: scale 1.
        assert_eq!(fit_column(&[-1.0, -3.0, -1.0, -3.0]), (-2.0, 1.0, false));
        // Constant: scale 1, reported.
        assert_eq!(fit_column(&[7.0; 5]), (7.0, 1.0, true));
        // A subnormal spread has an infinite reciprocal: no spread, reported.
        let tiny = f32::from_bits(2); // 2.8e-45
        let (_, s, c) = fit_column(&[0.0, tiny, 0.0, tiny]);
        assert_eq!((s, c), (1.0, true));
        // The widest spread there is (values ±f32::MAX): f32::MAX, a real spread.
        let (m, s, c) = fit_column(&[f32::MAX, -f32::MAX, f32::MAX, -f32::MAX]);
        assert_eq!((m, s, c), (0.0, f32::MAX, false));
    }
}
