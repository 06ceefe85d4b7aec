//! The Bayes-optimal reference: the best accuracy any classifier can expect on the data.
//!
//! The generator draws a point uniformly from the `n/2` (or `n − n/2`) noise-free arc points of
//! its class and adds isotropic Gaussian noise σ. So the true class density is an equal-weight
//! Gaussian mixture over those arc points, and with class priors proportional to the counts the
//! posterior comparison reduces to `Σᵢ exp(−‖x − μ₀ᵢ‖²/2σ²)` against the same sum over the
//! inner arc (the counts cancel). The classifier that picks the larger is Bayes-optimal; its
//! accuracy on a split is the ceiling shown beside every reported accuracy. For σ = 0 the
//! mixture degenerates and the rule becomes "nearest arc point".

use crate::config::MoonsConfig;
use crate::math;
use crate::moons::{arc_point, outer_count};
use crate::sample::Sample;

/// The score of class `label` at `x`: log of the unnormalised mixture density (σ > 0), or the
/// negated squared distance to the nearest arc point (σ = 0).
fn class_score(x: [f32; 2], label: u8, count: usize, noise: f32) -> f32 {
    let inv = if noise > 0.0 {
        1.0 / (2.0 * noise * noise)
    } else {
        0.0
    };
    let logit = |i: usize| {
        let p = arc_point(label, i, count);
        let (dx, dy) = (x[0] - p[0], x[1] - p[1]);
        -(dx * dx + dy * dy)
    };
    let best = (0..count).map(logit).fold(f32::NEG_INFINITY, f32::max);
    if inv == 0.0 {
        return best;
    }
    let sum: f32 = (0..count).map(|i| math::exp((logit(i) - best) * inv)).sum();
    best * inv + math::ln(sum)
}

/// The Bayes-optimal class of `x` under the generator `config` describes.
pub fn predict(config: &MoonsConfig, x: [f32; 2]) -> u8 {
    let n_out = outer_count(config.samples);
    let s0 = class_score(x, 0, n_out, config.noise);
    let s1 = class_score(x, 1, config.samples - n_out, config.noise);
    u8::from(s1 > s0)
}

/// The accuracy of the Bayes-optimal classifier on `samples` (0 for an empty slice).
pub fn accuracy(config: &MoonsConfig, samples: &[Sample]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let correct = samples
        .iter()
        .filter(|s| predict(config, s.x) == s.label)
        .count();
    correct as f32 / samples.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::moons::generate;
    use crate::rng::{Stream, stream};

    #[test]
    fn ceiling_is_about_97_percent_at_noise_0_2() {
        // 20 000 fresh draws from the 1000-point generator (20 data sets of 1000).
        let config = MoonsConfig::default();
        let mut correct = 0.0;
        for k in 0..20 {
            let mut v = [Sample::default(); 1000];
            generate(&mut v, config.noise, &mut stream(100 + k, Stream::Data, 0));
            correct += accuracy(&config, &v) * 1000.0;
        }
        let acc = correct / 20_000.0;
        assert!((acc - 0.97).abs() <= 0.01, "Bayes accuracy {acc}");
    }

    #[test]
    fn noiseless_data_is_perfectly_separable() {
        let config = MoonsConfig {
            noise: 0.0,
            ..MoonsConfig::default()
        };
        let mut v = [Sample::default(); 1000];
        generate(&mut v, 0.0, &mut stream(0, Stream::Data, 0));
        assert_eq!(accuracy(&config, &v), 1.0);
    }

    #[test]
    fn more_noise_lowers_the_ceiling() {
        let mut v = [Sample::default(); 1000];
        let noisy = MoonsConfig {
            noise: 0.5,
            ..MoonsConfig::default()
        };
        generate(&mut v, noisy.noise, &mut stream(0, Stream::Data, 0));
        let acc = accuracy(&noisy, &v);
        assert!((0.75..0.9).contains(&acc), "σ = 0.5 ceiling {acc}");
    }
}
