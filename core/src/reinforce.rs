//! REINFORCE with a moving-average baseline and a decaying entropy bonus.
//!
//! For a batch of `K` rollouts (K = 1 in the original) with rewards `Rₖ` the loss is
//!
//! ```text
//! L = (1/K) Σₖ [ −(Rₖ − b)·Σₜ log π(aₖₜ) − βₖ·Σₜ Hₖₜ ]
//! ```
//!
//! `b` is an exponential moving average of past rewards (decay 0.95; the first reward
//! initialises it), taken *before* the batch's rewards are folded in, so it does not depend
//! on the actions it judges (the original folded the current reward in first, which scales
//! the advantage by 0.95 — a constant Adam all but absorbs). `βₖ` is the entropy weight at
//! rollout `k`; it decays by 0.99 per rollout. The gradient may be clipped to a maximum L2
//! norm, then Adam updates the controller row by row, straight from the trajectories.

use crate::adam::{Adam, AdamState};
use crate::arch::VOCAB;
use crate::checkpoint::{CheckpointError, Reader, Writer};
use crate::config::ControllerConfig;
use crate::math;
use crate::policy::{ControllerParams, Policy, Trajectory};
use crate::rules::StepLoss;

/// What one controller update did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Update {
    /// The baseline the batch's advantages were measured against.
    pub baseline: f32,
    /// L2 norm of the gradient before clipping.
    pub grad_norm: f32,
    /// Whether the gradient was scaled down to `max_grad_norm`.
    pub clipped: bool,
}

/// The learner: Adam state, baseline and entropy weight.
#[derive(Clone, Debug, PartialEq)]
pub struct Reinforce<const H: usize> {
    config: ControllerConfig,
    adam: Adam,
    m: ControllerParams<H>,
    v: ControllerParams<H>,
    baseline: Option<f32>,
    beta: f32,
}

/// The learner's small state from a checkpoint, read and checked, not yet applied.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Saved {
    adam: AdamState,
    baseline: Option<f32>,
    beta: f32,
}

impl<const H: usize> Reinforce<H> {
    /// A fresh learner (`config` should be valid; see [`ControllerConfig::validate`]).
    pub const fn new(config: ControllerConfig) -> Self {
        Self {
            config,
            adam: Adam::new(config.adam),
            m: ControllerParams::ZERO,
            v: ControllerParams::ZERO,
            baseline: None,
            beta: config.entropy_weight,
        }
    }

    /// Bytes of [`Reinforce::save_small`]'s output: Adam's step state (12), the baseline (a
    /// flag and a value), β.
    pub(crate) const SMALL_LEN: usize = 12 + 5 + 4;

    /// Writes the small state: Adam's step, the baseline, β.
    pub(crate) fn save_small(&self, w: &mut Writer<'_>) {
        self.adam.save(w);
        w.u8(u8::from(self.baseline.is_some()));
        w.f32(self.baseline.unwrap_or(0.0));
        w.f32(self.beta);
    }

    /// Reads and checks [`Reinforce::save_small`]'s bytes.
    pub(crate) fn read_small(r: &mut Reader<'_>) -> Result<Saved, CheckpointError> {
        let adam = Adam::read(r);
        let baseline = match (r.u8(), r.f32()) {
            (0, _) => None,
            (1, b) if b.is_finite() => Some(b),
            _ => return Err(CheckpointError::Corrupt("baseline")),
        };
        Ok(Saved {
            adam,
            baseline,
            beta: r.f32(),
        })
    }

    /// Writes Adam's moments, row by row: first, then second.
    pub(crate) fn save_moments(&self, w: &mut Writer<'_>) {
        self.m.save(w);
        self.v.save(w);
    }

    /// Becomes the saved learner of `config`: `saved`, then the moments read from `r` (whose
    /// length was checked, so this cannot fail).
    pub(crate) fn restore(&mut self, config: ControllerConfig, saved: Saved, r: &mut Reader<'_>) {
        self.config = config;
        self.adam = Adam::restored(config.adam, saved.adam);
        self.baseline = saved.baseline;
        self.beta = saved.beta;
        self.m.load(r);
        self.v.load(r);
    }

    /// Makes this learner fresh again for `config`, in place (no large temporary).
    pub fn reset(&mut self, config: ControllerConfig) {
        self.config = config;
        self.adam = Adam::new(config.adam);
        for row in ControllerParams::<H>::rows() {
            self.m.row_mut(row).fill(0.0);
            self.v.row_mut(row).fill(0.0);
        }
        self.baseline = None;
        self.beta = config.entropy_weight;
    }

    /// The current baseline (`None` before the first reward).
    pub fn baseline(&self) -> Option<f32> {
        self.baseline
    }

    /// The entropy weight the next rollout will get.
    pub fn beta(&self) -> f32 {
        self.beta
    }

    /// Hands out the entropy weight for one rollout and decays it for the next.
    pub fn next_beta(&mut self) -> f32 {
        let beta = self.beta;
        self.beta *= self.config.entropy_decay;
        beta
    }

    /// The baseline a batch whose first reward is `first_reward` is judged against: 0
    /// without a baseline (`baseline_decay` `None`, the original's).
    pub fn baseline_for(&self, first_reward: f32) -> f32 {
        match self.config.baseline_decay {
            Some(_) => self.baseline.unwrap_or(first_reward),
            None => 0.0,
        }
    }

    /// Folds `rewards` into the baseline (the moving average), in order, without learning
    /// anything: what [`Reinforce::update`] does after its gradient step, and all a search
    /// without a controller does.
    pub fn observe(&mut self, rewards: &[f32]) {
        let Some(decay) = self.config.baseline_decay else {
            return;
        };
        for &reward in rewards {
            self.baseline = Some(match self.baseline {
                None => reward,
                Some(b) => decay * b + (1.0 - decay) * reward,
            });
        }
    }

    /// One update of `policy` from the batch `trajs` with `rewards` and entropy weights
    /// `betas` (all the same length, at least one). Consumes the trajectories' forward values.
    /// Never panics: an empty batch does nothing.
    pub fn update(
        &mut self,
        policy: &mut Policy<H>,
        trajs: &mut [Trajectory<H>],
        rewards: &[f32],
        betas: &[f32],
    ) -> Update {
        let Some(&first) = rewards.first() else {
            return Update {
                baseline: self.baseline.unwrap_or(0.0),
                grad_norm: 0.0,
                clipped: false,
            };
        };
        let baseline = self.baseline_for(first);
        let scale = 1.0 / rewards.len() as f32;
        for ((traj, &reward), &beta) in trajs.iter_mut().zip(rewards).zip(betas) {
            // The original divides each rollout's loss by its number of steps.
            let scale = match self.config.step_loss {
                StepLoss::Sum => scale,
                StepLoss::Mean => scale / traj.actions().len().max(1) as f32,
            };
            policy.backward(traj, -(reward - baseline) * scale, -beta * scale);
        }
        self.observe(rewards);

        let trajs = &trajs[..rewards.len().min(trajs.len())];
        let (mut long, mut short) = ([0.0f32; H], [0.0f32; VOCAB]);
        let mut sum_sq = 0.0f32;
        for row in ControllerParams::<H>::rows() {
            let g = scratch(&mut long, &mut short, policy.params.row_mut(row).len());
            Policy::grad_row(trajs, row, g);
            sum_sq += g.iter().map(|x| x * x).sum::<f32>();
        }
        let grad_norm = math::sqrt(sum_sq);
        let factor = match self.config.max_grad_norm {
            Some(max) if grad_norm > max => max / grad_norm,
            _ => 1.0,
        };
        let step = self.adam.tick();
        for row in ControllerParams::<H>::rows() {
            let params = policy.params.row_mut(row);
            let g = scratch(&mut long, &mut short, params.len());
            Policy::grad_row(trajs, row, g);
            if factor != 1.0 {
                g.iter_mut().for_each(|x| *x *= factor);
            }
            step.apply(params, g, self.m.row_mut(row), self.v.row_mut(row));
        }
        Update {
            baseline,
            grad_norm,
            clipped: factor != 1.0,
        }
    }
}

/// A row-sized gradient buffer: rows are `H` long, except the head bias (`VOCAB`).
fn scratch<'s, const H: usize>(
    long: &'s mut [f32; H],
    short: &'s mut [f32; VOCAB],
    len: usize,
) -> &'s mut [f32] {
    if len <= H {
        &mut long[..len]
    } else {
        &mut short[..len.min(VOCAB)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::{Arch, Token};
    use crate::rng::{Stream, stream};

    #[test]
    fn rewarding_one_architecture_makes_it_likelier() {
        let mut policy = Policy::<8>::new(&mut stream(0, Stream::Controller, 0));
        let mut learner = Reinforce::new(ControllerConfig::default());
        let target: Arch = "[16, Tanh]".parse().unwrap();
        let mut traj = Trajectory::EMPTY;
        policy.replay(&target, &mut traj);
        let before = traj.log_prob();
        let mut rng = stream(0, Stream::Controller, 1);
        for _ in 0..300 {
            policy.sample(&mut rng, &mut traj);
            let reward = if traj.arch() == target { 1.0 } else { 0.0 };
            let beta = learner.next_beta();
            learner.update(
                &mut policy,
                core::slice::from_mut(&mut traj),
                &[reward],
                &[beta],
            );
        }
        policy.replay(&target, &mut traj);
        assert!(
            traj.log_prob() > before + 1.0,
            "{before} -> {}",
            traj.log_prob()
        );
    }

    /// The batch loss `(1/K) Σₖ [−(Rₖ − b)·Σₜ log πₖₜ − βₖ·Σₜ Hₖₜ]`, written out directly.
    fn batch_loss(
        policy: &Policy<6>,
        archs: &[Arch],
        rewards: &[f32],
        betas: &[f32],
        b: f32,
    ) -> f32 {
        let mut traj = Trajectory::EMPTY;
        let mut sum = 0.0;
        for ((arch, &reward), &beta) in archs.iter().zip(rewards).zip(betas) {
            policy.replay(arch, &mut traj);
            sum += -(reward - b) * traj.log_prob() - beta * traj.entropy();
        }
        sum / archs.len() as f32
    }

    #[test]
    fn a_batch_update_follows_the_gradient_summed_over_its_trajectories() {
        let mut policy = Policy::<6>::new(&mut stream(3, Stream::Controller, 0));
        for row in ControllerParams::<6>::rows() {
            policy
                .params
                .row_mut(row)
                .iter_mut()
                .for_each(|p| *p *= 3.0);
        }
        let archs: [Arch; 3] = [
            "[16, Tanh, 8]".parse().unwrap(),
            "[]".parse().unwrap(),
            "[ReLU, 2, 2, Sigmoid, 4, 1]".parse().unwrap(),
        ];
        let (rewards, betas) = ([0.9, 0.2, 0.6], [0.05, 0.04, 0.03]);
        let mut learner = Reinforce::<6>::new(ControllerConfig::default());
        learner.observe(&[0.5]); // the baseline this batch is judged against
        let before = policy.clone();
        let mut trajs = [Trajectory::EMPTY; 3];
        for (arch, traj) in archs.iter().zip(&mut trajs) {
            policy.replay(arch, traj);
        }
        let update = learner.update(&mut policy, &mut trajs, &rewards, &betas);
        assert_eq!(update.baseline, 0.5);
        assert!(!update.clipped);
        // Adam's first step from zero moments leaves m = (1 − β₁)·g: the gradient it used.
        let eps = 1e-3;
        let (mut sum_sq, mut checked) = (0.0f32, 0);
        for row in ControllerParams::<6>::rows() {
            for (i, &m) in learner.m.row(row).iter().enumerate() {
                let used = m / 0.1;
                let mut p = before.clone();
                p.params.row_mut(row)[i] += eps;
                let up = batch_loss(&p, &archs, &rewards, &betas, 0.5);
                p.params.row_mut(row)[i] -= 2.0 * eps;
                let down = batch_loss(&p, &archs, &rewards, &betas, 0.5);
                let numeric = (up - down) / (2.0 * eps);
                assert!(
                    (numeric - used).abs() <= 2e-3 + 2e-2 * numeric.abs(),
                    "{row:?}[{i}]: update used {used}, finite differences {numeric}"
                );
                // The step goes against the gradient.
                let moved = policy.params.row(row)[i] - before.params.row(row)[i];
                assert!(used == 0.0 || moved * used < 0.0, "{row:?}[{i}]");
                sum_sq += used * used;
                checked += 1;
            }
        }
        assert_eq!(checked, ControllerParams::<6>::COUNT);
        assert!((update.grad_norm - math::sqrt(sum_sq)).abs() < 1e-3 * update.grad_norm);
        // The baseline folds in the batch's rewards, in order.
        let b = [0.9f32, 0.2, 0.6]
            .iter()
            .fold(0.5, |b, &r| 0.95 * b + 0.05 * r);
        assert!((learner.baseline().unwrap() - b).abs() < 1e-6);
    }

    /// One update of a fixed batch with `max_grad_norm`: what it reported, and the gradient
    /// it applied (read back from Adam's first moment, `m = (1 − β₁)·g` after one step).
    fn clipped_step(max_grad_norm: Option<f32>) -> (Update, Vec<f32>) {
        let policy = Policy::<4>::new(&mut stream(1, Stream::Controller, 0));
        let mut learner = Reinforce::<4>::new(ControllerConfig {
            max_grad_norm,
            ..ControllerConfig::default()
        });
        learner.observe(&[0.5]);
        let mut trajs = [Trajectory::EMPTY; 2];
        policy.replay(&"[16, Tanh]".parse().unwrap(), &mut trajs[0]);
        policy.replay(&"[]".parse().unwrap(), &mut trajs[1]);
        let update = learner.update(&mut policy.clone(), &mut trajs, &[0.9, 0.1], &[0.01, 0.01]);
        let applied = ControllerParams::<4>::rows()
            .flat_map(|row| {
                learner
                    .m
                    .row(row)
                    .iter()
                    .map(|m| m / 0.1)
                    .collect::<Vec<_>>()
            })
            .collect();
        (update, applied)
    }

    #[test]
    fn clipping_scales_the_gradient_to_the_maximum_norm_and_only_above_it() {
        let (free, g) = clipped_step(None);
        let norm = math::sqrt(g.iter().map(|x| x * x).sum::<f32>());
        assert!((free.grad_norm - norm).abs() <= 1e-4 * norm && !free.clipped);
        // Above the gradient's norm: nothing changes.
        let (loose, same) = clipped_step(Some(2.0 * norm));
        assert!(!loose.clipped);
        assert_eq!(same, g);
        // Below it: the same direction, scaled to exactly the maximum.
        let max = 0.25 * norm;
        let (tight, scaled) = clipped_step(Some(max));
        assert!(tight.clipped);
        assert_eq!(
            tight.grad_norm, free.grad_norm,
            "the norm before clipping is reported"
        );
        for (a, b) in scaled.iter().zip(&g) {
            assert!(
                (a - 0.25 * b).abs() <= 1e-5 * b.abs() + 1e-9,
                "{a} vs 0.25·{b}"
            );
        }
    }

    #[test]
    fn batched_updates_learn_to_prefer_the_rewarded_tokens() {
        // The reward is the share of widths of 16 among an architecture's tokens: with four
        // rollouts per update the controller must still climb it.
        let mut policy = Policy::<8>::new(&mut stream(0, Stream::Controller, 0));
        let mut learner = Reinforce::new(ControllerConfig {
            rollouts_per_update: 4,
            ..ControllerConfig::default()
        });
        let mut rng = stream(0, Stream::Controller, 1);
        let mut trajs = [Trajectory::EMPTY; 4];
        let mut means = Vec::new();
        for _ in 0..150 {
            let (mut rewards, mut betas) = ([0.0f32; 4], [0.0f32; 4]);
            for (k, traj) in trajs.iter_mut().enumerate() {
                policy.sample(&mut rng, traj);
                let arch = traj.arch();
                let wide = arch.tokens().iter().filter(|&&t| t == Token::W16).count();
                rewards[k] = wide as f32 / arch.len().max(1) as f32;
                betas[k] = learner.next_beta();
            }
            means.push(rewards.iter().sum::<f32>() / 4.0);
            learner.update(&mut policy, &mut trajs, &rewards, &betas);
        }
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        let (early, late) = (mean(&means[..25]), mean(&means[125..]));
        assert!(early < 0.2 && late > 0.6, "mean reward {early} -> {late}");
    }

    #[test]
    fn baseline_starts_at_the_first_reward_then_averages() {
        let mut policy = Policy::<4>::new(&mut stream(0, Stream::Controller, 0));
        let mut learner = Reinforce::new(ControllerConfig::default());
        let mut traj = Trajectory::EMPTY;
        policy.replay(&Arch::new(&[Token::W1]).unwrap(), &mut traj);
        let u = learner.update(
            &mut policy,
            core::slice::from_mut(&mut traj),
            &[0.8],
            &[0.0],
        );
        assert_eq!(u.baseline, 0.8);
        assert_eq!(
            u.grad_norm, 0.0,
            "zero advantage and zero β give a zero gradient"
        );
        policy.replay(&Arch::EMPTY, &mut traj);
        let u = learner.update(
            &mut policy,
            core::slice::from_mut(&mut traj),
            &[0.4],
            &[0.0],
        );
        assert_eq!(u.baseline, 0.8);
        assert!((learner.baseline().unwrap() - (0.95 * 0.8 + 0.05 * 0.4)).abs() < 1e-7);
        assert!(u.grad_norm > 0.0);
    }

    #[test]
    fn beta_decays_per_rollout_and_clipping_bounds_the_step() {
        let config = ControllerConfig {
            max_grad_norm: Some(1e-3),
            ..ControllerConfig::default()
        };
        let mut learner = Reinforce::<4>::new(config);
        assert_eq!(learner.next_beta(), 1e-2);
        assert!((learner.beta() - 0.99e-2).abs() < 1e-9);
        let mut policy = Policy::<4>::new(&mut stream(0, Stream::Controller, 0));
        let mut trajs = [Trajectory::EMPTY, Trajectory::EMPTY];
        policy.replay(&Arch::EMPTY, &mut trajs[0]);
        policy.replay(&"[16]".parse().unwrap(), &mut trajs[1]);
        let u = learner.update(&mut policy, &mut trajs, &[0.2, 0.9], &[0.01, 0.01]);
        assert!(u.clipped && u.grad_norm > 1e-3, "{u:?}");
    }

    /// The original's learner: no baseline (the advantage is the reward itself, and the
    /// reported baseline 0) and the loss divided by the number of steps. With four actions
    /// (three tokens and EOS) its update is exactly the summed loss's with the reward and β
    /// divided by four.
    #[test]
    fn without_a_baseline_and_with_the_mean_loss_as_by_hand() {
        let original = ControllerConfig {
            baseline_decay: None,
            step_loss: StepLoss::Mean,
            ..ControllerConfig::default()
        };
        let summed = ControllerConfig {
            baseline_decay: None,
            ..ControllerConfig::default()
        };
        let start = Policy::<8>::new(&mut stream(4, Stream::Controller, 0));
        let arch: Arch = "[16, Tanh, 4]".parse().unwrap();
        let run = |config: ControllerConfig, reward: f32, beta: f32| {
            let (mut policy, mut learner) = (start.clone(), Reinforce::<8>::new(config));
            let mut traj = Trajectory::EMPTY;
            policy.replay(&arch, &mut traj);
            assert_eq!(traj.actions().len(), 4);
            let update = learner.update(
                &mut policy,
                core::slice::from_mut(&mut traj),
                &[reward],
                &[beta],
            );
            (policy, update.baseline, learner.baseline())
        };
        let (mean, baseline, kept) = run(original, 0.75, 0.01);
        assert_eq!((baseline, kept), (0.0, None), "no baseline, none kept");
        let (sum, _, _) = run(summed, 0.75 / 4.0, 0.01 / 4.0);
        assert_eq!(mean, sum);
        let (with_baseline, baseline, kept) = run(ControllerConfig::default(), 0.75, 0.01);
        assert_eq!(
            (baseline, kept),
            (0.75, Some(0.75)),
            "the first reward is its own baseline"
        );
        assert_ne!(with_baseline, mean);
    }
}
