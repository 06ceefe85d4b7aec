//! The one door to float transcendentals.
//!
//! Every `exp`, `ln`, `tanh`, `sqrt`, `sin` and `cos` in piconas goes through these
//! `#[inline(always)]` wrappers over [`libm`], a portable pure-Rust implementation. The
//! platform's own `f32` methods (or an FPU's approximations) would give different last bits on
//! x86-64, wasm32 and Cortex-M; libm gives the same bits everywhere, which is what lets one
//! seed reproduce one search on every target. Nothing else in the crate calls a
//! transcendental, and no code uses `mul_add` (fused multiply-add rounds differently).
//!
//! The child networks' hot loops use this module's own [`exp_nonpositive`],
//! [`tanh_vectorisable`], [`sigmoid_vectorisable`] and [`sqrt_vectorisable`] instead: made of
//! IEEE-754 additions, multiplications, divisions and bit operations only, with no branch, they
//! give the same bits on every target too, and unlike a libm call they let a loop over a row of
//! 32 samples vectorise. Each is tested against libm (within 2 ulp). The controller, the loss
//! value, the Bayes rule and the data generator stay on libm.

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

/// Square root (correctly rounded in libm, as IEEE 754 requires; its portable code on every
/// target, see `core/Cargo.toml`).
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

/// `e^x` for `x ≤ 0` (a larger `x` is taken as 0, one below −87 as −87; NaN stays NaN), from
/// additions, multiplications and bit operations only, with no branch and no table: so a loop
/// over a row of activations vectorises, and every IEEE-754 target (SSE, wasm, the Cortex-M4F's
/// FPU, soft float) computes the same bits. `x = k·ln 2 + r` with `k` rounded to nearest by the
/// `1.5·2²³` trick and `ln 2` split Cody–Waite style (fdlibm's constants, so `k·ln2_hi` is
/// exact); `e^r` by its degree-7 Taylor polynomial on `|r| ≤ ln 2 / 2` (truncation below
/// 5.2e-9 relative); `2^k` built in the exponent bits. Within 1 ulp of libm's `expf` (tested).
#[inline(always)]
pub fn exp_nonpositive(x: f32) -> f32 {
    let x = x.clamp(-87.0, 0.0);
    let t = x * core::f32::consts::LOG2_E + ROUND;
    let k = t - ROUND; // round(x·log₂e), an integer in [-126, 0]
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let [c2, c3, c4, c5, c6, c7] = EXP_TAYLOR;
    let p = 1.0 + r * (1.0 + r * (c2 + r * (c3 + r * (c4 + r * (c5 + r * (c6 + r * c7))))));
    // t's low mantissa bits hold k + ROUND's; k + 127 is the exponent field of 2^k.
    let k_bits = t.to_bits().wrapping_sub(ROUND.to_bits());
    let scale = f32::from_bits(k_bits.wrapping_add(127) << 23);
    p * scale
}

/// `ln 2`'s high part for [`exp_nonpositive`]'s Cody–Waite reduction (fdlibm's): 6.9314575195e-01,
/// 9 trailing zero bits, so `k · LN2_HI` is exact. Public, with the other constants of the
/// branch-free functions, so that an exported C header writes the very same ones.
pub const LN2_HI: f32 = f32::from_bits(0x3f31_7200);
/// `ln 2`'s low part (1.4286067653e-06).
pub const LN2_LO: f32 = f32::from_bits(0x35bf_be8e);
/// `1.5·2²³`: adding it rounds an `f32` to an integer (ulp 1).
pub const ROUND: f32 = 12_582_912.0;
/// `e^r`'s Taylor coefficients from `r²` on: `1/2!` to `1/7!`.
pub const EXP_TAYLOR: [f32; 6] = [
    0.5,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
];
/// `tanh`'s odd Taylor coefficients from `x³` to `x¹¹`, used below [`TANH_NEAR`].
pub const TANH_TAYLOR: [f32; 5] = [
    -1.0 / 3.0,
    2.0 / 15.0,
    -17.0 / 315.0,
    62.0 / 2835.0,
    -1382.0 / 155_925.0,
];
/// Below this `|x|`, [`tanh_vectorisable`] takes its Taylor series (the closed form cancels).
pub const TANH_NEAR: f32 = 0.3;

/// `√v` for Adam's second moments, vectorisable and the same bits on every target: a bit-level
/// first guess (within 3.5 %) and three Newton steps `y ← (y + v/y)/2`, from additions,
/// multiplications, divisions and bit operations only (libm's `sqrtf` is one scalar
/// instruction that stops a whole update loop from vectorising). Within 2 ulp of the correctly
/// rounded root for `v` from 1e-30 to 1e30 (tested); below that Adam's ε (1e-8) outweighs it
/// by ten orders of magnitude, and the guess only has to stay small, which it does. `v` must be
/// ≥ 0 (a second moment is); 0 gives a value below 1e-19.
#[inline(always)]
pub fn sqrt_vectorisable(v: f32) -> f32 {
    let mut y = f32::from_bits((v.to_bits() >> 1).wrapping_add(0x1fbd_1df5));
    for _ in 0..3 {
        y = 0.5 * (y + v / y);
    }
    y
}

/// The sign bit of `x` put on `y` (which must be ≥ 0): `copysign` from bit operations.
#[inline(always)]
fn with_sign_of(y: f32, x: f32) -> f32 {
    f32::from_bits(y.to_bits() | (x.to_bits() & 0x8000_0000))
}

/// Hyperbolic tangent for the child networks: vectorisable and the same bits on every target
/// (see [`exp_nonpositive`]). `(1 − e)/(1 + e)` with `e = e^{−2|x|}`, and for `|x| < 0.3`,
/// where that difference would cancel, the odd Taylor series through `x¹¹` (truncation below
/// 1e-9). Within 2 ulp (2.4e-7 relative) of libm's `tanhf` (tested); exactly ±1 beyond
/// `|x| ≈ 9`.
#[inline(always)]
pub fn tanh_vectorisable(x: f32) -> f32 {
    let a = f32::from_bits(x.to_bits() & 0x7fff_ffff);
    let e = exp_nonpositive(-2.0 * a);
    let far = (1.0 - e) / (1.0 + e);
    let a2 = a * a;
    let [t3, t5, t7, t9, t11] = TANH_TAYLOR;
    let near = a + a * a2 * (t3 + a2 * (t5 + a2 * (t7 + a2 * (t9 + a2 * t11))));
    let y = if a < TANH_NEAR { near } else { far };
    with_sign_of(y, x)
}

/// Logistic sigmoid for the child networks: vectorisable and the same bits on every target
/// (see [`exp_nonpositive`]): with `e = e^{−|x|}`, `1/(1 + e)` for `x ≥ 0` and `e/(1 + e)`
/// below. Within 2 ulp (2.4e-7 relative) of the libm-based [`sigmoid`] (tested).
#[inline(always)]
pub fn sigmoid_vectorisable(x: f32) -> f32 {
    let a = f32::from_bits(x.to_bits() & 0x7fff_ffff);
    let e = exp_nonpositive(-a);
    let top = if x >= 0.0 { 1.0 } else { e };
    top / (1.0 + e)
}

/// The hidden layers' tanh: [`tanh_vectorisable`], or with the `fast-math` feature one built
/// on micromath's `exp` approximation (`1 − 2/(e^{2x} + 1)`, input clamped where tanh is ±1 in
/// f32 anyway).
#[inline(always)]
pub fn act_tanh(x: f32) -> f32 {
    #[cfg(feature = "fast-math")]
    {
        let e = micromath::F32(2.0 * x.clamp(-20.0, 20.0)).exp().0;
        1.0 - 2.0 / (e + 1.0)
    }
    #[cfg(not(feature = "fast-math"))]
    {
        tanh_vectorisable(x)
    }
}

/// The hidden layers' sigmoid: [`sigmoid_vectorisable`], or with the `fast-math` feature one
/// built on micromath's `exp` approximation (input clamped where the sigmoid saturates in
/// f32).
#[inline(always)]
pub fn act_sigmoid(x: f32) -> f32 {
    #[cfg(feature = "fast-math")]
    {
        1.0 / (1.0 + micromath::F32(-x.clamp(-40.0, 40.0)).exp().0)
    }
    #[cfg(not(feature = "fast-math"))]
    {
        sigmoid_vectorisable(x)
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

    /// Relative error of `got` against `want`, with values below 1e-30 compared absolutely.
    fn rel(got: f32, want: f32) -> f64 {
        let (g, w) = (f64::from(got), f64::from(want));
        (g - w).abs() / w.abs().max(1e-30)
    }

    #[test]
    fn vectorisable_exp_tanh_and_sigmoid_are_within_a_few_ulp_of_libm() {
        let (mut e_err, mut t_err, mut s_err) = (0.0f64, 0.0f64, 0.0f64);
        // Dense near zero (where tanh switches formula), then out to the clamps.
        let xs = (0..=200_000)
            .map(|i| i as f32 * 1e-5)
            .chain((0..=100_000).map(|i| i as f32 * 1e-3));
        for a in xs {
            for x in [a, -a] {
                if (-87.0..=0.0).contains(&x) {
                    e_err = e_err.max(rel(exp_nonpositive(x), exp(x)));
                }
                t_err = t_err.max(rel(tanh_vectorisable(x), tanh(x)));
                s_err = s_err.max(rel(sigmoid_vectorisable(x), sigmoid(x)));
            }
        }
        std::println!("max relative error: exp {e_err:e}, tanh {t_err:e}, sigmoid {s_err:e}");
        assert!(e_err < 2.4e-7, "exp {e_err:e}"); // 2 ulp
        assert!(t_err < 2.4e-7, "tanh {t_err:e}");
        assert!(s_err < 2.4e-7, "sigmoid {s_err:e}");
        // The edges: saturation, signed zero, NaN.
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(exp_nonpositive(5.0), 1.0);
        assert!(exp_nonpositive(-1000.0) > 0.0);
        assert_eq!(
            (tanh_vectorisable(20.0), tanh_vectorisable(-20.0)),
            (1.0, -1.0)
        );
        assert_eq!(tanh_vectorisable(-0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(sigmoid_vectorisable(0.0), 0.5);
        assert_eq!(sigmoid_vectorisable(200.0), 1.0);
        assert!((0.0..1e-37).contains(&sigmoid_vectorisable(-200.0)));
        assert!(tanh_vectorisable(f32::NAN).is_nan() && sigmoid_vectorisable(f32::NAN).is_nan());
    }

    #[test]
    fn vectorisable_sqrt_is_within_2_ulp_and_small_at_zero() {
        let mut worst = 0.0f64;
        let mut v = 1e-30f32;
        while v < 1e30 {
            for m in [1.0f32, 1.1, 1.37, 1.5, 1.99, 2.0, 3.0, 7.7] {
                let x = v * m;
                worst = worst.max(rel(sqrt_vectorisable(x), sqrt(x)));
            }
            v *= 1.9;
        }
        assert!(worst < 2.4e-7, "sqrt {worst:e}");
        assert!(sqrt_vectorisable(0.0) < 1e-19);
        assert!(sqrt_vectorisable(1e-45) < 1e-19);
        assert_eq!(sqrt_vectorisable(4.0), 2.0);
    }

    /// How far the activations are from libm's: the precision `fast-math` trades away.
    #[test]
    fn activation_precision_against_libm() {
        let (mut tanh_err, mut sigmoid_err) = (0.0f32, 0.0f32);
        for i in -4000..=4000 {
            let x = i as f32 * 0.005; // [-20, 20]
            tanh_err = tanh_err.max((act_tanh(x) - tanh(x)).abs());
            sigmoid_err = sigmoid_err.max((act_sigmoid(x) - sigmoid(x)).abs());
        }
        #[cfg(not(feature = "fast-math"))]
        assert!(
            tanh_err < 2.4e-7 && sigmoid_err < 1.2e-7,
            "{tanh_err} {sigmoid_err}"
        );
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
