//! The built-in data sets: two moons, concentric circles, XOR and two spirals.
//!
//! Every generator works the same way, so that one Bayes computation ([`crate::bayes`]) covers
//! them all: `n/2` noise-free points for class 0 and `n − n/2` for class 1 are placed
//! deterministically on the class's curve ([`point`]), the points are shuffled, then each
//! coordinate gets independent `N(0, σ²)` noise. The class densities are therefore exactly
//! equal-weight Gaussian mixtures over the noise-free points. The parameters (all fixed; only
//! the noise, the size and the seed are settings):
//!
//! | data set | class 0 (point `i` of `m`) | class 1 |
//! |---|---|---|
//! | `moons` | `(cos t, sin t)`, `t = π·i/(m−1)` | `(1 − cos t, 0.5 − sin t)` — scikit-learn's `make_moons` |
//! | `circles` | `(cos t, sin t)`, `t = 2π·i/m` | the same at radius [`CIRCLES_FACTOR`] — `make_circles(factor=0.5)` |
//! | `xor` | blob centres `(c, c)` and `(−c, −c)`, alternating | `(c, −c)` and `(−c, c)`; `c` = [`XOR_CENTRE`] |
//! | `spirals` | `r(cos θ, sin θ)`, `u = i/m`, `θ = 2π·`[`SPIRAL_TURNS`]`·u`, `r = r₀ + (r₁ − r₀)·u` | the same turned by π |
//!
//! The random numbers come from our own generator, so moons and circles differ point by point
//! from scikit-learn's, but the distributions are the same.

use rand_core::Rng;

use crate::arch::Shape;
use crate::config::{ConfigError, DataConfig, Dataset};
use crate::math;
use crate::rng;
use crate::sample::Rows;

/// Radius of the inner circle (the outer one has radius 1).
pub const CIRCLES_FACTOR: f32 = 0.5;
/// `c`: the XOR blobs are centred on `(±c, ±c)`.
pub const XOR_CENTRE: f32 = 0.5;
/// Turns of each spiral arm.
pub const SPIRAL_TURNS: f32 = 1.5;
/// Radius where a spiral arm starts (`r₀`).
pub const SPIRAL_INNER: f32 = 0.25;
/// Radius where a spiral arm ends (`r₁`).
pub const SPIRAL_OUTER: f32 = 2.0;

/// Points of class 0 in a data set of `n`; class 1 gets the rest.
pub fn class0_count(n: usize) -> usize {
    n / 2
}

/// The noise-free point `i` of the `count` points of class `label` (0 or 1; anything else is
/// taken as 1) in `dataset`.
pub fn point(dataset: Dataset, label: u8, i: usize, count: usize) -> [f32; 2] {
    let one = label != 0;
    match dataset {
        Dataset::Moons => {
            let t = if count > 1 {
                core::f32::consts::PI * i as f32 / (count - 1) as f32
            } else {
                0.0
            };
            let (c, s) = (math::cos(t), math::sin(t));
            if one { [1.0 - c, 0.5 - s] } else { [c, s] }
        }
        Dataset::Circles => {
            let t = 2.0 * core::f32::consts::PI * i as f32 / count.max(1) as f32;
            let r = if one { CIRCLES_FACTOR } else { 1.0 };
            [r * math::cos(t), r * math::sin(t)]
        }
        Dataset::Xor => {
            let c = if i.is_multiple_of(2) {
                XOR_CENTRE
            } else {
                -XOR_CENTRE
            };
            if one { [c, -c] } else { [c, c] }
        }
        Dataset::Spirals => {
            let u = i as f32 / count.max(1) as f32;
            let theta = 2.0 * core::f32::consts::PI * SPIRAL_TURNS * u;
            let r = SPIRAL_INNER + (SPIRAL_OUTER - SPIRAL_INNER) * u;
            let (x, y) = (r * math::cos(theta), r * math::sin(theta));
            if one { [-x, -y] } else { [x, y] }
        }
    }
}

/// Fills `labels` and `x` (two features per label, row-major) with `dataset` at noise
/// `noise`, one point per label, drawing from `rng`. Features past `2 · labels.len()` are left
/// as they were; labels past `x.len() / 2` are not filled.
pub fn generate(
    dataset: Dataset,
    x: &mut [f32],
    labels: &mut [u8],
    noise: f32,
    rng: &mut impl Rng,
) {
    let n = labels.len().min(x.len() / 2);
    let (x, labels) = (&mut x[..2 * n], &mut labels[..n]);
    let n0 = class0_count(n);
    for (i, (p, l)) in x.chunks_exact_mut(2).zip(labels.iter_mut()).enumerate() {
        let (label, j, count) = if i < n0 {
            (0, i, n0)
        } else {
            (1, i - n0, n - n0)
        };
        p.copy_from_slice(&point(dataset, label, j, count));
        *l = label;
    }
    for i in (1..n).rev() {
        let j = rng::below(rng, (i + 1) as u32) as usize;
        labels.swap(i, j);
        x.swap(2 * i, 2 * j);
        x.swap(2 * i + 1, 2 * j + 1);
    }
    for p in x.chunks_exact_mut(2) {
        let (a, b) = rng::gaussian_pair(rng);
        p[0] += noise * a;
        p[1] += noise * b;
    }
}

/// Validates `config`, then fills the first `config.samples` rows of `x` (two features each)
/// and `labels` from the data stream of `config.seed`, and returns them as [`Rows`]. The
/// buffers must hold at least `config.samples` rows.
pub fn generate_config<'a>(
    config: &DataConfig,
    x: &'a mut [f32],
    labels: &'a mut [u8],
) -> Result<Rows<'a>, ConfigError> {
    config.validate()?;
    let available = labels.len().min(x.len() / 2);
    let n = config.samples;
    if n > available {
        return Err(ConfigError {
            field: "samples",
            allowed: crate::config::Allowed::Range {
                min: crate::config::MIN_SAMPLES as u64,
                max: available as u64,
            },
            got: crate::config::Got::Int(n as u64),
        });
    }
    let (x, labels) = (&mut x[..2 * n], &mut labels[..n]);
    let mut rng = rng::stream(config.seed, rng::Stream::Data, 0);
    generate(config.dataset, x, labels, config.noise, &mut rng);
    // Finite by construction (bounded points, bounded noise), labels 0 and 1; checked anyway,
    // and an impossible failure is reported as the noise's.
    Rows::new(x, labels, Shape::MOONS).map_err(|_| ConfigError {
        field: "noise",
        allowed: crate::config::Allowed::UpTo(crate::config::MAX_NOISE),
        got: crate::config::Got::Float(config.noise),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One generated point, for the tests' reading.
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Sample {
        x: [f32; 2],
        label: u8,
    }

    fn of(dataset: Dataset, n: usize, noise: f32, seed: u64) -> Vec<Sample> {
        let (mut x, mut labels) = (vec![0.0; 2 * n], vec![0; n]);
        let cfg = DataConfig {
            dataset,
            samples: n,
            noise,
            seed,
        };
        let rows = generate_config(&cfg, &mut x, &mut labels).unwrap();
        (0..n)
            .map(|i| Sample {
                x: [rows.x(i)[0], rows.x(i)[1]],
                label: rows.label(i),
            })
            .collect()
    }

    fn moons(n: usize, noise: f32, seed: u64) -> Vec<Sample> {
        of(Dataset::Moons, n, noise, seed)
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
    fn every_data_set_is_balanced_and_follows_its_curves() {
        for dataset in Dataset::ALL {
            let v = of(dataset, 400, 0.0, 3);
            assert_eq!(v.iter().filter(|s| s.label == 0).count(), 200, "{dataset}");
            for s in &v {
                let [x, y] = s.x;
                let r = math::sqrt(x * x + y * y);
                let ok = match dataset {
                    Dataset::Moons => true, // checked above
                    Dataset::Circles => {
                        let want = if s.label == 0 { 1.0 } else { CIRCLES_FACTOR };
                        (r - want).abs() < 1e-5
                    }
                    Dataset::Xor => {
                        math::abs(x) == XOR_CENTRE
                            && math::abs(y) == XOR_CENTRE
                            && ((x * y < 0.0) == (s.label == 1))
                    }
                    Dataset::Spirals => (SPIRAL_INNER - 1e-5..=SPIRAL_OUTER).contains(&r),
                };
                assert!(ok, "{dataset}: {s:?} is off its curve");
            }
        }
    }

    #[test]
    fn spiral_arms_are_point_reflections_of_each_other() {
        for i in [0, 7, 199] {
            let [a, b] = point(Dataset::Spirals, 0, i, 200);
            assert_eq!(point(Dataset::Spirals, 1, i, 200), [-a, -b]);
        }
    }

    #[test]
    fn too_small_a_buffer_is_an_error() {
        let (mut x, mut labels) = ([0.0; 80], [0; 30]);
        let cfg = DataConfig {
            samples: 40,
            ..DataConfig::default()
        };
        let e = generate_config(&cfg, &mut x, &mut labels).unwrap_err();
        assert_eq!(e.field, "samples");
        let (mut x, mut labels) = ([0.0; 60], [0; 40]);
        let e = generate_config(&cfg, &mut x, &mut labels).unwrap_err();
        assert_eq!(e.field, "samples", "30 rows of features");
    }
}
