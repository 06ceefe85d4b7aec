//! Adam (Kingma & Ba 2015), in PyTorch's formulation, over plain `f32` slices.
//!
//! Shared by the child networks and the controller. The optimiser keeps only the step count
//! and the running powers `β₁ᵗ`, `β₂ᵗ`; the moment buffers belong to the caller, laid out like
//! the parameters, so that a layer (or a row of the controller) can be updated the moment its
//! gradient is known and no full gradient buffer is ever needed.

use crate::checkpoint::{Reader, Writer};
use crate::config::AdamConfig;
use crate::math;

/// Adam's step counter and bias-correction state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adam {
    config: AdamConfig,
    steps: u32,
    beta1_pow: f32,
    beta2_pow: f32,
}

/// Adam's part of a checkpoint, read and not yet applied: steps, `β₁ᵗ`, `β₂ᵗ`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct AdamState(u32, f32, f32);

/// The coefficients of one Adam step, shared by every parameter updated in that step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamStep {
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    step_size: f32,
    bias2_sqrt: f32,
}

impl Adam {
    /// Writes the step state (the configuration is the checkpoint's own).
    pub(crate) fn save(&self, w: &mut Writer<'_>) {
        w.u32(self.steps);
        w.f32(self.beta1_pow);
        w.f32(self.beta2_pow);
    }

    /// Reads [`Adam::save`]'s bytes.
    pub(crate) fn read(r: &mut Reader<'_>) -> AdamState {
        AdamState(r.u32(), r.f32(), r.f32())
    }

    /// The optimiser of `config` at a saved step.
    pub(crate) fn restored(config: AdamConfig, AdamState(steps, b1, b2): AdamState) -> Adam {
        Adam {
            config,
            steps,
            beta1_pow: b1,
            beta2_pow: b2,
        }
    }

    /// A fresh optimiser (no steps taken).
    pub const fn new(config: AdamConfig) -> Self {
        Self {
            config,
            steps: 0,
            beta1_pow: 1.0,
            beta2_pow: 1.0,
        }
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// Advances the step count and returns the coefficients of this step.
    pub fn tick(&mut self) -> AdamStep {
        let c = self.config;
        self.steps = self.steps.saturating_add(1);
        self.beta1_pow *= c.beta1;
        self.beta2_pow *= c.beta2;
        AdamStep {
            beta1: c.beta1,
            beta2: c.beta2,
            epsilon: c.epsilon,
            step_size: c.learning_rate / (1.0 - self.beta1_pow),
            bias2_sqrt: math::sqrt(1.0 - self.beta2_pow),
        }
    }
}

impl AdamStep {
    /// Updates one parameter `p` from its gradient `g`, with its moments `m` and `v`.
    #[inline(always)]
    pub fn apply_one(&self, p: &mut f32, g: f32, m: &mut f32, v: &mut f32) {
        *m = self.beta1 * *m + (1.0 - self.beta1) * g;
        *v = self.beta2 * *v + (1.0 - self.beta2) * g * g;
        let denom = math::sqrt_vectorisable(*v) / self.bias2_sqrt + self.epsilon;
        *p -= self.step_size * *m / denom;
    }

    /// Updates `params` in place from `grads`, with moments `m` and `v` (all the same length;
    /// extra elements of a longer slice are ignored).
    #[cfg_attr(feature = "multiversion", inline(always))]
    #[cfg_attr(not(feature = "multiversion"), inline)]
    pub fn apply(&self, params: &mut [f32], grads: &[f32], m: &mut [f32], v: &mut [f32]) {
        for (((p, &g), m), v) in params.iter_mut().zip(grads).zip(m).zip(v) {
            self.apply_one(p, g, m, v);
        }
    }

    /// [`AdamStep::apply`] for the loss plus the L2 penalty `l2/2 · ‖params‖²`: each gradient
    /// gains `l2 · p` before the step.
    #[cfg_attr(feature = "multiversion", inline(always))]
    #[cfg_attr(not(feature = "multiversion"), inline)]
    pub fn apply_l2(
        &self,
        params: &mut [f32],
        grads: &[f32],
        l2: f32,
        m: &mut [f32],
        v: &mut [f32],
    ) {
        for (((p, &g), m), v) in params.iter_mut().zip(grads).zip(m).zip(v) {
            let g = g + l2 * *p;
            self.apply_one(p, g, m, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_steps_match_hand_computation() {
        let config = AdamConfig {
            learning_rate: 0.1,
            ..AdamConfig::default()
        };
        let mut adam = Adam::new(config);
        let (mut p, mut m, mut v) = ([1.0f32], [0.0f32], [0.0f32]);
        // Step 1, g = 0.5: m = 0.05, v = 2.5e-4, m̂ = 0.5, v̂ = 0.25, p = 1 - 0.1·0.5/0.5.
        adam.tick().apply(&mut p, &[0.5], &mut m, &mut v);
        assert!((p[0] - 0.9).abs() < 1e-6, "after step 1: {}", p[0]);
        // Step 2, g = -1: m = -0.055, v = 1.24975e-3, m̂ = -0.055/0.19 = -0.2894737,
        // v̂ = 1.24975e-3/1.999e-3 = 0.6251876, √v̂ = 0.7906880, p = 0.9 + 0.1·0.2894737/0.7906880.
        adam.tick().apply(&mut p, &[-1.0], &mut m, &mut v);
        assert!((p[0] - 0.936_610).abs() < 1e-5, "after step 2: {}", p[0]);
        assert_eq!(adam.steps(), 2);
    }

    #[test]
    fn epsilon_bounds_the_step_of_a_vanishing_gradient() {
        // g = 1e-9: m̂ = 1e-9, √v̂ = 1e-9, so the step is lr·1e-9/(1e-9 + ε) = lr/11 with the
        // default ε = 1e-8, not lr (as without ε) nor the opposite sign (as with −ε).
        let mut adam = Adam::new(AdamConfig {
            learning_rate: 0.1,
            ..AdamConfig::default()
        });
        let (mut p, mut m, mut v) = ([0.0f32], [0.0f32], [0.0f32]);
        adam.tick().apply(&mut p, &[1e-9], &mut m, &mut v);
        assert!((p[0] + 0.1 / 11.0).abs() < 1e-5, "{}", p[0]);
    }
}
