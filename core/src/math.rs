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

/// The hidden layers' tanh: libm's, or with the `fast-math` feature one built on micromath's
/// `exp` approximation (`1 − 2/(e^{2x} + 1)`, input clamped where tanh is ±1 in f32 anyway).
#[inline(always)]
pub fn act_tanh(x: f32) -> f32 {
    #[cfg(feature = "fast-math")]
    {
        let e = micromath::F32(2.0 * x.clamp(-20.0, 20.0)).exp().0;
        1.0 - 2.0 / (e + 1.0)
    }
    #[cfg(not(feature = "fast-math"))]
    {
        tanh(x)
    }
}

/// The hidden layers' sigmoid: libm-based [`sigmoid`], or with the `fast-math` feature one built
/// on micromath's `exp` approximation (input clamped where the sigmoid saturates in f32).
#[inline(always)]
pub fn act_sigmoid(x: f32) -> f32 {
    #[cfg(feature = "fast-math")]
    {
        1.0 / (1.0 + micromath::F32(-x.clamp(-40.0, 40.0)).exp().0)
    }
    #[cfg(not(feature = "fast-math"))]
    {
        sigmoid(x)
    }
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

    /// How far the activations are from libm's: the precision `fast-math` trades away.
    /// Without the feature they are libm's, exactly.
    #[test]
    fn activation_precision_against_libm() {
        let (mut tanh_err, mut sigmoid_err) = (0.0f32, 0.0f32);
        for i in -4000..=4000 {
            let x = i as f32 * 0.005; // [-20, 20]
            tanh_err = tanh_err.max((act_tanh(x) - tanh(x)).abs());
            sigmoid_err = sigmoid_err.max((act_sigmoid(x) - sigmoid(x)).abs());
        }
        #[cfg(not(feature = "fast-math"))]
        assert_eq!((tanh_err, sigmoid_err), (0.0, 0.0));
        #[cfg(feature = "fast-math")]
        {
            std::println!(
                "fast-math max abs error on [-20, 20]: tanh {tanh_err:e}, sigmoid {sigmoid_err:e}"
            );
            // Measured on this build: tanh 1.03e-3, sigmoid 5.2e-4.
            assert!(
                tanh_err < 1.5e-3 && sigmoid_err < 1e-3,
                "tanh {tanh_err}, sigmoid {sigmoid_err}"
            );
            assert!(act_tanh(30.0) == 1.0 && act_tanh(-30.0) == -1.0);
            assert!(act_sigmoid(100.0) == 1.0 && act_sigmoid(-100.0) >= 0.0);
        }
    }

    #[test]
    fn sigmoid_saturates_without_nan() {
        assert_eq!(sigmoid(-200.0), 0.0);
        assert_eq!(sigmoid(200.0), 1.0);
        assert_eq!(sigmoid(0.0), 0.5);
    }
}
