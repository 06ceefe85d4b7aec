//! The two-moons generator, with scikit-learn's `make_moons` semantics.
//!
//! `n/2` points on the outer arc `(cos t, sin t)` (label 0) and `n − n/2` on the inner arc
//! `(1 − cos t, 0.5 − sin t)` (label 1), `t` evenly spaced on `[0, π]` for each arc; the
//! points are shuffled, then each coordinate gets independent `N(0, σ²)` noise. The random
//! numbers come from our own generator, so the points differ from scikit-learn's, but the
//! distribution is the same.

use rand_core::Rng;

use crate::config::{ConfigError, MoonsConfig};
use crate::math;
use crate::rng;
use crate::sample::Sample;

/// Points on the outer arc (label 0) for a data set of `n`; the inner arc gets the rest.
pub fn outer_count(n: usize) -> usize {
    n / 2
}

/// The noise-free point `i` of the `count` on the arc of `label`.
pub fn arc_point(label: u8, i: usize, count: usize) -> [f32; 2] {
    let t = if count > 1 {
        core::f32::consts::PI * i as f32 / (count - 1) as f32
    } else {
        0.0
    };
    let (c, s) = (math::cos(t), math::sin(t));
    if label == 0 {
        [c, s]
    } else {
        [1.0 - c, 0.5 - s]
    }
}

/// Fills `out` with a two-moons data set of `out.len()` points with noise `config.noise`,
/// drawing from `rng`. (`config.samples` and `config.seed` are for callers that size and
/// seed the buffer; this function uses the buffer's length and the given generator.)
pub fn generate(out: &mut [Sample], noise: f32, rng: &mut impl Rng) {
    let n = out.len();
    let n_out = outer_count(n);
    for (i, s) in out.iter_mut().enumerate() {
        let (label, j, count) = if i < n_out {
            (0, i, n_out)
        } else {
            (1, i - n_out, n - n_out)
        };
        *s = Sample {
            x: arc_point(label, j, count),
            label,
        };
    }
    for i in (1..n).rev() {
        let j = rng::below(rng, (i + 1) as u32) as usize;
        out.swap(i, j);
    }
    for s in out.iter_mut() {
        let (a, b) = rng::gaussian_pair(rng);
        s.x[0] += noise * a;
        s.x[1] += noise * b;
    }
}

/// Validates `config`, then fills `out[..config.samples]` from the data stream of
/// `config.seed`. Returns the filled part. `out` must hold at least `config.samples`.
pub fn generate_config<'a>(
    config: &MoonsConfig,
    out: &'a mut [Sample],
) -> Result<&'a mut [Sample], ConfigError> {
    config.validate()?;
    let available = out.len();
    let out = out.get_mut(..config.samples).ok_or(ConfigError {
        field: "samples",
        allowed: crate::config::Allowed::Range {
            min: crate::config::MIN_SAMPLES as u64,
            max: available as u64,
        },
        got: crate::config::Got::Int(config.samples as u64),
    })?;
    let mut rng = rng::stream(config.seed, rng::Stream::Data, 0);
    generate(out, config.noise, &mut rng);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moons(n: usize, noise: f32, seed: u64) -> Vec<Sample> {
        let mut v = vec![Sample::default(); n];
        let cfg = MoonsConfig {
            samples: n,
            noise,
            seed,
        };
        generate_config(&cfg, &mut v).unwrap();
        v
    }

    #[test]
    fn classes_are_balanced_and_shuffled() {
        let v = moons(1000, 0.2, 0);
        assert_eq!(v.iter().filter(|s| s.label == 0).count(), 500);
        // Shuffled: the first 100 are not all of one class (binomial(100, ½) in 35..=65).
        let ones = v[..100].iter().filter(|s| s.label == 1).count();
        assert!(
            (35..=65).contains(&ones),
            "{ones} of the first 100 are class 1"
        );
        let odd = moons(21, 0.0, 0);
        assert_eq!(odd.iter().filter(|s| s.label == 0).count(), 10);
    }

    #[test]
    fn noise_free_points_lie_on_the_arcs() {
        for s in moons(200, 0.0, 1) {
            let [x, y] = s.x;
            let r = if s.label == 0 {
                math::sqrt(x * x + y * y)
            } else {
                math::sqrt((1.0 - x) * (1.0 - x) + (0.5 - y) * (0.5 - y))
            };
            assert!((r - 1.0).abs() < 1e-5, "{s:?} is off its arc (radius {r})");
            let up = if s.label == 0 { y } else { 0.5 - y };
            assert!(up >= -1e-6, "{s:?} is on the wrong half");
        }
    }

    #[test]
    fn arc_statistics_match_the_noise_level() {
        // Class 0: mean of (cos t, sin t) over t in [0, π] is (0, 2/π); noise adds σ² to
        // each coordinate's variance. Tolerances are ~4 standard errors for 20 000 points.
        let v = moons(20_000, 0.2, 2);
        let class0: Vec<_> = v.iter().filter(|s| s.label == 0).collect();
        let n = class0.len() as f32;
        let mx = class0.iter().map(|s| s.x[0]).sum::<f32>() / n;
        let my = class0.iter().map(|s| s.x[1]).sum::<f32>() / n;
        assert!(mx.abs() < 0.03, "mean x {mx}");
        assert!(
            (my - 2.0 / core::f32::consts::PI).abs() < 0.02,
            "mean y {my}"
        );
        // Var(cos t) = 1/2 for t uniform on [0, π]; plus σ² = 0.04.
        let vx = class0
            .iter()
            .map(|s| (s.x[0] - mx) * (s.x[0] - mx))
            .sum::<f32>()
            / n;
        assert!((vx - 0.54).abs() < 0.02, "variance x {vx}");
    }

    #[test]
    fn same_seed_same_points() {
        assert_eq!(moons(100, 0.2, 5), moons(100, 0.2, 5));
        assert_ne!(moons(100, 0.2, 5), moons(100, 0.2, 6));
    }

    #[test]
    fn too_small_a_buffer_is_an_error() {
        let mut v = [Sample::default(); 30];
        let cfg = MoonsConfig {
            samples: 40,
            ..MoonsConfig::default()
        };
        assert_eq!(generate_config(&cfg, &mut v).unwrap_err().field, "samples");
    }
}
