//! The one door to float transcendentals.
//!
//! Every `exp`, `ln`, `tanh`, `sqrt`, `sin` and `cos` in piconas goes through these
//! `#[inline(always)]` wrappers over [`libm`], a portable pure-Rust implementation. The
//! platform's own `f32` methods (or an FPU's approximations) would give different last bits on
//! x86-64, wasm32 and Cortex-M; libm gives the same bits everywhere, which is what lets one
//! seed reproduce one search on every target. Nothing else in the crate calls a
//! transcendental, and no code uses `mul_add` (fused multiply-add rounds differently).

/// `e^x`.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    libm::expf(x)
}

/// Natural logarithm.
#[inline(always)]
pub fn ln(x: f32) -> f32 {
    libm::logf(x)
}

/// `ln(1 + x)`, accurate for small `x`.
#[inline(always)]
pub fn ln_1p(x: f32) -> f32 {
    libm::log1pf(x)
}

/// Absolute value.
#[inline(always)]
pub fn abs(x: f32) -> f32 {
    libm::fabsf(x)
}

/// Hyperbolic tangent.
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    libm::tanhf(x)
}

/// Square root (correctly rounded in libm, as IEEE 754 requires).
#[inline(always)]
pub fn sqrt(x: f32) -> f32 {
    libm::sqrtf(x)
}

/// Sine.
#[inline(always)]
pub fn sin(x: f32) -> f32 {
    libm::sinf(x)
}

/// Cosine.
#[inline(always)]
pub fn cos(x: f32) -> f32 {
    libm::cosf(x)
}

/// Logistic sigmoid `1 / (1 + e^-x)`; saturates to exactly 0 or 1, never NaN for finite `x`.
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// `ln(Σ e^xᵢ)` computed without overflow (the maximum is factored out).
/// Returns `-inf` for an empty slice.
#[inline]
pub fn log_sum_exp(xs: &[f32]) -> f32 {
    let max = xs.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if max == f32::NEG_INFINITY || max.is_nan() {
        return max;
    }
    let sum: f32 = xs.iter().map(|&x| exp(x - max)).sum();
    max + ln(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_sum_exp_is_stable_and_exact_on_vectors() {
        // (input, expected, tolerance)
        let cases: [(&[f32], f32, f32); 4] = [
            (&[0.0, 0.0], core::f32::consts::LN_2, 1e-7),
            (&[1000.0, 1000.0], 1000.0 + core::f32::consts::LN_2, 1e-4),
            (&[-1000.0, 0.0], 0.0, 1e-7),
            (&[1.0, 2.0, 3.0], 3.407_606, 1e-6),
        ];
        for (xs, want, tol) in cases {
            let got = log_sum_exp(xs);
            assert!(
                (got - want).abs() <= tol,
                "log_sum_exp({xs:?}) = {got}, want {want}"
            );
        }
        assert_eq!(log_sum_exp(&[]), f32::NEG_INFINITY);
    }

    #[test]
    fn sigmoid_saturates_without_nan() {
        assert_eq!(sigmoid(-200.0), 0.0);
        assert_eq!(sigmoid(200.0), 1.0);
        assert_eq!(sigmoid(0.0), 0.5);
    }
}
