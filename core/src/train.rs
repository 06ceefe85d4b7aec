//! Training one child: mini-batch Adam with early stopping; its best dev accuracy is the reward.
//!
//! Each epoch visits the training split in a fresh pseudo-random order
//! ([`crate::shuffle::Permutation`]) in mini-batches (the last, partial one counts), then
//! scores the dev split. Training stops after `max_epochs`, or after `patience` epochs without
//! a new best dev accuracy. The weights of the best epoch are kept.
//!
//! **The reward is the best dev accuracy reached**, not the last epoch's as in the original:
//! with early stopping the last epoch is by construction `patience` epochs past the best, so
//! the original's reward mixed architecture quality with where the noise happened to fall.
//!
//! A child whose loss or weights turn non-finite stops at once and reports reward 0 with
//! `diverged = true`: a finite, worst-possible reward that the controller can learn from
//! without any NaN reaching it.

use crate::adam::{Adam, AdamStep};
use crate::arch::Arch;
use crate::config::ChildConfig;
use crate::mlp::{self, Aligned, Layout, MAX_PARAMS, Workspace};
use crate::network::Network;
use crate::rng::Generator;
use crate::rules::{BestEpoch, DevAccuracy, RewardEpoch};
use crate::sample::{Fold, Rows, Split};
use crate::shuffle::Permutation;

/// What training one child produced.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// Best dev accuracy over the epochs (0 if the child diverged).
    pub reward: f32,
    /// Epochs trained.
    pub epochs: u32,
    /// The epoch (1-based) whose weights were kept.
    pub best_epoch: u32,
    /// Whether the loss or a weight became NaN or infinite.
    pub diverged: bool,
    /// The rungs it climbed, with rungs on ([`crate::search::evaluate`]).
    pub climb: Climb,
}

/// A child's dev scores on each rung it climbed ([`crate::config::RungPlan`]); none without
/// rungs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Climb {
    /// Rungs climbed (0: no rungs, the child learnt from the whole train split).
    pub rungs: u8,
    /// The dev score on each, from the first.
    pub scores: [f32; crate::config::MAX_RUNGS],
}

impl Climb {
    /// No rungs.
    pub const NONE: Climb = Climb {
        rungs: 0,
        scores: [0.0; crate::config::MAX_RUNGS],
    };
}

/// One Adam step over the gradients [`Layout::backward`] hands out, with the L2 penalty `l2`
/// on the weights (not the biases).
struct Update<'a> {
    step: AdamStep,
    l2: f32,
    m: &'a mut [f32; MAX_PARAMS],
    v: &'a mut [f32; MAX_PARAMS],
}

impl mlp::Apply for Update<'_> {
    #[inline(always)]
    fn apply(&mut self, start: usize, p: &mut [f32], g: &[f32], weights: bool) {
        let (m, v) = (&mut self.m[start..start + g.len()], &mut self.v[start..]);
        if weights && self.l2 != 0.0 {
            self.step.apply_l2(p, g, self.l2, m, v);
        } else {
            self.step.apply(p, g, m, v);
        }
    }
}

/// Trains children one at a time; owns the parameters, Adam's moments and the batch buffers
/// (about 40 KB, all fixed arrays).
#[derive(Clone, Debug)]
pub struct Trainer {
    arch: Arch,
    layout: Layout,
    params: Aligned<[f32; MAX_PARAMS]>,
    best: Aligned<[f32; MAX_PARAMS]>,
    m: Aligned<[f32; MAX_PARAMS]>,
    v: Aligned<[f32; MAX_PARAMS]>,
    ws: Workspace,
}

impl Default for Trainer {
    fn default() -> Self {
        Self::new()
    }
}

impl Trainer {
    /// An idle trainer (`const`, so firmware can place it in a static).
    pub const fn new() -> Self {
        Self {
            arch: Arch::EMPTY,
            layout: Layout::EMPTY,
            params: Aligned([0.0; MAX_PARAMS]),
            best: Aligned([0.0; MAX_PARAMS]),
            m: Aligned([0.0; MAX_PARAMS]),
            v: Aligned([0.0; MAX_PARAMS]),
            ws: Workspace::new(),
        }
    }

    /// Trains `arch` on `data.train`, scoring on `data.dev` (the [`Split::holdout`] fold),
    /// drawing its initial weights and epoch orders from `rng`. `config` must be valid ([`ChildConfig::validate`]); an invalid
    /// one cannot panic but gives meaningless results. Never panics.
    pub fn train(
        &mut self,
        arch: &Arch,
        config: &ChildConfig,
        data: &Split<'_>,
        rng: &mut Generator,
    ) -> Outcome {
        self.fit_inner(arch, config, &data.holdout(), rng)
    }

    /// Trains `arch` on `fold`'s learning rows, keeping the epoch that scores best on its dev
    /// rows (the last epoch if it has none, which also never stops early). As
    /// [`Trainer::train`] otherwise.
    pub fn fit(
        &mut self,
        arch: &Arch,
        config: &ChildConfig,
        fold: &Fold<'_>,
        rng: &mut Generator,
    ) -> Outcome {
        self.fit_inner(arch, config, fold, rng)
    }

    /// [`Trainer::fit`] compiled for AVX2 (with the `multiversion` feature, on x86-64): the
    /// whole training path is inlined here, so the compiler vectorises it 8 lanes wide. The
    /// same bits as `fit` — every sum's order is fixed and nothing is fused — only faster.
    ///
    /// # Safety
    ///
    /// The CPU must support AVX2: check with `is_x86_feature_detected!("avx2")` first (the
    /// runner's `kernel` module does). That is the only requirement.
    #[cfg(all(feature = "multiversion", target_arch = "x86_64"))]
    #[target_feature(enable = "avx2")]
    pub fn fit_avx2(
        &mut self,
        arch: &Arch,
        config: &ChildConfig,
        fold: &Fold<'_>,
        rng: &mut Generator,
    ) -> Outcome {
        self.fit_inner(arch, config, fold, rng)
    }

    /// [`Trainer::fit`] compiled for AVX-512 (with the `multiversion` feature, on x86-64): a
    /// 16-unit row is one 512-bit register. The same bits as `fit`, as for
    /// [`Trainer::fit_avx2`].
    ///
    /// # Safety
    ///
    /// The CPU must support AVX-512F: check with `is_x86_feature_detected!("avx512f")` first.
    /// That is the only requirement.
    #[cfg(all(feature = "multiversion", target_arch = "x86_64"))]
    #[target_feature(enable = "avx512f")]
    pub fn fit_avx512(
        &mut self,
        arch: &Arch,
        config: &ChildConfig,
        fold: &Fold<'_>,
        rng: &mut Generator,
    ) -> Outcome {
        self.fit_inner(arch, config, fold, rng)
    }

    #[inline(always)]
    fn fit_inner(
        &mut self,
        arch: &Arch,
        config: &ChildConfig,
        fold: &Fold<'_>,
        rng: &mut Generator,
    ) -> Outcome {
        let n = self.start(arch, fold, rng);
        let mut adam = Adam::new(config.adam);
        let batch = config.batch_size.clamp(1, crate::config::MAX_BATCH);
        let len = fold.len();
        let mut outcome = Outcome {
            reward: -1.0,
            epochs: 0,
            best_epoch: 0,
            diverged: false,
            climb: Climb::NONE,
        };
        let mut stale = 0;
        // The last epoch's dev accuracy (the original's reward).
        let mut last = 0.0;
        // A fold of few batches gets as many steps as `min_steps` asks.
        let scale = config.epoch_scale(len);
        let patience = config.patience.saturating_mul(scale);
        let l2 = config.weight_decay;
        let mut best_loss = f32::INFINITY;
        for epoch in 1..=config.max_epochs.saturating_mul(scale) {
            outcome.epochs = epoch;
            let finite = self.epoch(&mut adam, batch, l2, fold, rng);
            if !finite || !self.params[..n].iter().all(|p| p.is_finite()) {
                outcome.reward = 0.0;
                outcome.diverged = true;
                return outcome;
            }
            let (acc, loss) = self.dev_score(config, fold, rng);
            last = acc;
            let better = match config.best_epoch {
                BestEpoch::Loss => loss < best_loss,
                BestEpoch::Accuracy => acc > outcome.reward,
            };
            // Without dev rows every epoch is the latest best: the last one is kept.
            if better || fold.dev.is_empty() {
                outcome.reward = acc;
                outcome.best_epoch = epoch;
                best_loss = loss;
                self.best[..n].copy_from_slice(&self.params[..n]);
                stale = 0;
            } else {
                stale += 1;
                if stale >= patience {
                    break;
                }
            }
        }
        if config.reward_epoch == RewardEpoch::Last {
            outcome.reward = last;
        }
        outcome.reward = outcome.reward.max(0.0);
        outcome
    }

    /// Starts a fit of `arch` on `fold`'s shape: its layout, fresh weights from `rng` (also the
    /// best so far) and zeroed Adam moments. Returns the parameter count.
    #[inline(always)]
    fn start(&mut self, arch: &Arch, fold: &Fold<'_>, rng: &mut Generator) -> usize {
        self.arch = *arch;
        self.layout = Layout::new(arch, fold.dev.shape());
        let n = self.layout.param_count();
        self.layout.init(&mut self.params, rng);
        self.best[..n].copy_from_slice(&self.params[..n]);
        self.m[..n].fill(0.0);
        self.v[..n].fill(0.0);
        n
    }

    /// One epoch: `fold`'s learning rows in a fresh order from `rng`, `batch` at a time, each
    /// batch one Adam step (with the L2 penalty `l2` on the weights, not the biases). False,
    /// at once, if a batch's loss is not finite.
    #[inline(always)]
    fn epoch(
        &mut self,
        adam: &mut Adam,
        batch: usize,
        l2: f32,
        fold: &Fold<'_>,
        rng: &mut Generator,
    ) -> bool {
        let len = fold.len();
        let order = Permutation::new(len as u32, rng);
        for start in (0..len).step_by(batch) {
            load_batch(&mut self.ws, fold, &order, start, batch.min(len - start));
            self.layout.forward(&self.params, &mut self.ws);
            if !self.ws.loss_gradient(&self.layout) {
                return false;
            }
            let update = Update {
                step: adam.tick(),
                l2,
                m: &mut self.m,
                v: &mut self.v,
            };
            self.layout
                .backward_with(&mut self.params, &mut self.ws, update);
        }
        true
    }

    /// The current weights' score on `fold`'s dev rows, as `config` measures it, and their
    /// mean cross-entropy there when [`BestEpoch::Loss`] needs it (else 0). The score is exact,
    /// or (the original's) the mean of per-batch accuracies over the rows shuffled from `rng`
    /// into batches of the batch size, each batch weighing alike.
    #[cfg_attr(feature = "multiversion", inline(always))]
    fn dev_score(
        &mut self,
        config: &ChildConfig,
        fold: &Fold<'_>,
        rng: &mut Generator,
    ) -> (f32, f32) {
        let (layout, params, ws, dev) = (&self.layout, &self.params, &mut self.ws, &fold.dev);
        match (config.dev_accuracy, config.best_epoch) {
            (DevAccuracy::Exact, BestEpoch::Accuracy) => {
                (mlp::score(layout, params, ws, dev, config.metric), 0.0)
            }
            (DevAccuracy::Exact, BestEpoch::Loss) => {
                mlp::score_and_loss(layout, params, ws, dev, config.metric)
            }
            (DevAccuracy::BatchMean, best) => {
                let order = Permutation::new(dev.len() as u32, rng);
                let score = mlp::batch_mean_accuracy(
                    layout,
                    params,
                    ws,
                    dev,
                    |i| order.get(i as u32) as usize,
                    config.batch_size,
                );
                let loss = match best {
                    BestEpoch::Loss => {
                        mlp::score_and_loss(layout, params, ws, dev, config.metric).1
                    }
                    BestEpoch::Accuracy => 0.0,
                };
                (score, loss)
            }
        }
    }

    /// Accuracy of the last trained child's best weights on `rows` (0 for rows of another
    /// shape than it was trained on).
    pub fn accuracy(&mut self, rows: &Rows<'_>) -> f32 {
        if rows.shape() != self.layout.shape() {
            return 0.0;
        }
        mlp::accuracy(&self.layout, &self.best, &mut self.ws, rows)
    }

    /// The last trained child's layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The last trained child's best weights (flat, as [`Layout`] describes).
    pub fn best_params(&self) -> &[f32] {
        &self.best[..self.layout.param_count()]
    }

    /// Copies the last trained child, with its best weights, into `net`.
    pub fn copy_network(&self, net: &mut Network) {
        net.set(self.arch, self.layout, self.best_params());
    }
}

/// Loads the `count` learning rows at positions `start..` of `order` into `ws` as a batch.
/// Out of line on Arm microcontrollers: its index buffer then takes stack only while it runs,
/// instead of sitting in the trainer's frame under every deeper call (the small Cortex-M
/// configuration's stack peak; 160 bytes). Inlined elsewhere, into the AVX2 path too.
#[cfg_attr(target_arch = "arm", inline(never))]
#[cfg_attr(not(target_arch = "arm"), inline(always))]
fn load_batch(
    ws: &mut Workspace,
    fold: &Fold<'_>,
    order: &Permutation,
    start: usize,
    count: usize,
) {
    let mut picked = [0u32; crate::config::MAX_BATCH];
    let picked = &mut picked[..count];
    order.fill(start as u32, picked);
    ws.load_rows(fold.rows(), picked.iter().map(|&i| fold.index(i as usize)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AdamConfig, DataConfig, Metric};
    use crate::datasets;
    use crate::rng::{Stream, stream};

    fn data() -> (Vec<f32>, Vec<u8>) {
        let (mut x, mut y) = (vec![0.0; 2000], vec![0; 1000]);
        datasets::generate_config(&DataConfig::default(), &mut x, &mut y).unwrap();
        (x, y)
    }

    fn split<'a>(x: &'a [f32], y: &'a [u8]) -> Split<'a> {
        Split::new(Rows::new(x, y, crate::arch::Shape::MOONS).unwrap()).unwrap()
    }

    #[test]
    fn the_trainer_is_the_documented_size() {
        // Four parameter arrays, the workspace, and the layout and architecture (lib.rs docs);
        // on hosts each array fills whole 64-byte cache lines (`Aligned`).
        let line = align_of::<Aligned<f32>>();
        let arrays = 4 * (4 * MAX_PARAMS).next_multiple_of(line) + size_of::<Workspace>();
        let size = size_of::<Trainer>();
        assert!(arrays < size && size <= arrays + 96, "{size} B");
        assert_eq!(align_of::<Trainer>(), line);
    }

    #[test]
    fn a_good_architecture_learns_the_moons() {
        let (x, y) = data();
        let split = split(&x, &y);
        let mut trainer = Trainer::new();
        let arch: Arch = "[16, Tanh, 16, Tanh]".parse().unwrap();
        let out = trainer.train(
            &arch,
            &ChildConfig::default(),
            &split,
            &mut stream(0, Stream::Child, 0),
        );
        assert!(!out.diverged);
        assert!(out.reward >= 0.93, "{out:?}");
        assert!(trainer.accuracy(&split.test) >= 0.92);
        assert!(out.epochs <= 100 && out.best_epoch <= out.epochs);
    }

    #[test]
    fn a_linear_model_cannot_fit_the_moons() {
        let (x, y) = data();
        let split = split(&x, &y);
        let out = Trainer::new().train(
            &Arch::EMPTY,
            &ChildConfig::default(),
            &split,
            &mut stream(0, Stream::Child, 0),
        );
        assert!((0.75..0.92).contains(&out.reward), "{out:?}");
    }

    #[test]
    fn same_stream_same_outcome() {
        let (x, y) = data();
        let split = split(&x, &y);
        let arch: Arch = "[8, ReLU, 4, Sigmoid]".parse().unwrap();
        let mut t = Trainer::new();
        let a = t.train(
            &arch,
            &ChildConfig::default(),
            &split,
            &mut stream(3, Stream::Child, 7),
        );
        let wa: Vec<f32> = t.best_params().to_vec();
        let b = t.train(
            &arch,
            &ChildConfig::default(),
            &split,
            &mut stream(3, Stream::Child, 7),
        );
        assert_eq!(a, b);
        assert_eq!(wa, t.best_params());
    }

    /// The rule, worked out from each epoch's new best (its reward) or none: stop after
    /// `patience` consecutive epochs without a new best. Returns (the last epoch trained, the
    /// best epoch, its reward).
    fn stopped_by_patience(bests: &[Option<f32>], patience: u32) -> (u32, u32, f32) {
        let (mut reward, mut best_epoch, mut stale) = (0.0f32, 0, 0);
        for (i, b) in bests.iter().enumerate() {
            if let Some(r) = b {
                (reward, best_epoch, stale) = (*r, i as u32 + 1, 0);
            } else {
                stale += 1;
                if stale == patience {
                    return (i as u32 + 1, best_epoch, reward);
                }
            }
        }
        (bests.len() as u32, best_epoch, reward)
    }

    #[test]
    fn early_stopping_keeps_the_best_epoch_and_stops_after_patience_stale_epochs() {
        // A run capped at e epochs trains exactly the first e epochs of a longer one (the same
        // stream, drawn epoch by epoch), so whether each epoch was a new best can be read off
        // capped runs, and what a run with patience must do worked out independently. Under
        // each rule a new best must beat the previous one by that rule's own measure, computed
        // here from the kept weights.
        let (x, y) = data();
        let split = split(&x, &y);
        let arch: Arch = "[4, Tanh]".parse().unwrap();
        let mut trainer = Trainer::new();
        let mut ws = Workspace::new();
        for rule in BestEpoch::ALL {
            let mut run = |max_epochs: u32, patience: u32| {
                let config = ChildConfig {
                    max_epochs,
                    patience,
                    min_steps: 0,
                    best_epoch: rule,
                    batch_size: 30, // 700 training points: 23 full batches and one of 10
                    ..ChildConfig::default()
                };
                let out = trainer.train(&arch, &config, &split, &mut stream(5, Stream::Child, 2));
                let mut params = [0.0; MAX_PARAMS];
                params[..trainer.best_params().len()].copy_from_slice(trainer.best_params());
                let (acc, loss) = mlp::score_and_loss(
                    trainer.layout(),
                    &params,
                    &mut ws,
                    &split.dev,
                    Metric::Accuracy,
                );
                (out, trainer.best_params().to_vec(), acc, loss)
            };
            // For each epoch e: whether it was a new best, and the reward it then gave.
            let mut bests: Vec<Option<f32>> = Vec::new();
            let (mut best_acc, mut best_loss) = (-1.0f32, f32::INFINITY);
            for e in 1..=40 {
                let (out, _, acc, loss) = run(e, 1000);
                assert_eq!(out.epochs, e);
                if out.best_epoch == e {
                    match rule {
                        BestEpoch::Accuracy => {
                            assert!(acc > best_acc, "a strictly better accuracy")
                        }
                        BestEpoch::Loss => assert!(loss < best_loss, "a strictly lower loss"),
                    }
                    assert_eq!(out.reward, acc, "the reward is the kept epoch's accuracy");
                    (best_acc, best_loss) = (acc, loss);
                    bests.push(Some(out.reward));
                } else {
                    bests.push(None);
                }
            }
            for patience in [1, 2, 3, 5] {
                let (stop, best_epoch, reward) = stopped_by_patience(&bests, patience);
                let (out, weights, _, _) = run(40, patience);
                assert_eq!(
                    (out.epochs, out.best_epoch, out.reward),
                    (stop, best_epoch, reward),
                    "{rule}, patience {patience}"
                );
                let (_, at_best, _, _) = run(best_epoch, 1000);
                assert_eq!(weights, at_best, "the best epoch's weights are kept");
                assert!(
                    stop < 40,
                    "{rule}: patience {patience} must stop this run early"
                );
            }
        }
    }

    /// The step floor by hand: a fold of `rows` rows in batches of 32 has ⌈rows/32⌉ batches an
    /// epoch; epochs and patience are stretched by ⌈min_steps / (batches · max_epochs)⌉, at
    /// least 1.
    #[test]
    fn the_step_floor_stretches_epochs_and_patience_on_few_batches() {
        let config = ChildConfig {
            min_steps: 1000,
            ..ChildConfig::default()
        };
        // Iris's folds: 96 rows, 3 batches: 300 steps in 100 epochs, so ×4.
        assert_eq!(config.epoch_scale(96), 4);
        // The moons: 700 rows, 22 batches: 2200 steps already.
        assert_eq!(config.epoch_scale(700), 1);
        // 1 row: 1 batch, ×10; no rows counts as one batch.
        assert_eq!(config.epoch_scale(1), 10);
        assert_eq!(config.epoch_scale(0), 10);
        assert_eq!(
            ChildConfig {
                min_steps: 0,
                ..config
            }
            .epoch_scale(1),
            1
        );
        assert_eq!(
            ChildConfig {
                min_steps: 300,
                ..config
            }
            .epoch_scale(96),
            1
        );
        assert_eq!(
            ChildConfig {
                min_steps: 301,
                ..config
            }
            .epoch_scale(96),
            2
        );
        // A child on 19 rows (one batch) with no dev rows never stops early: it trains the
        // stretched limit, 3 epochs × ⌈50 / 3⌉ = 51.
        let x: Vec<f32> = (0..50).map(|i| i as f32 / 10.0).collect();
        let y: Vec<u8> = (0..25).map(|i| (i % 2) as u8).collect();
        let split = Split::new(Rows::new(&x, &y, crate::arch::Shape::MOONS).unwrap()).unwrap();
        let config = ChildConfig {
            max_epochs: 3,
            min_steps: 50,
            ..ChildConfig::default()
        };
        let fold = split.fold(0, 1);
        assert_eq!(fold.len(), 19);
        let out = Trainer::new().fit(
            &Arch::EMPTY,
            &config,
            &fold,
            &mut stream(1, Stream::Child, 0),
        );
        assert_eq!((out.epochs, out.best_epoch), (51, 51));
    }

    /// Weight decay trains to the optimum of the penalised loss: with full batches and enough
    /// steps, the mean loss's gradient plus `weight_decay · w` vanishes at the weights found,
    /// and the biases' (not penalised) gradient alone; without decay the weights of this
    /// nearly separable data grow larger.
    #[test]
    fn weight_decay_converges_to_the_penalised_optimum() {
        let shape = crate::arch::Shape::new(2, 3).unwrap();
        let mut rng = stream(4, Stream::Data, 0);
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for i in 0..40 {
            let c = i % 3;
            let (a, b) = crate::rng::gaussian_pair(&mut rng);
            x.extend([c as f32 + 0.3 * a, (c as f32 - 1.0).abs() + 0.3 * b]);
            y.push(c as u8);
        }
        let split = Split::new(Rows::new(&x, &y, shape).unwrap()).unwrap();
        let fold = split.fold(0, 1); // 32 rows, no dev: one full batch a step, the last kept
        let arch: Arch = "[4, Tanh]".parse().unwrap();
        let l2 = 0.05;
        let config = ChildConfig {
            max_epochs: 6000,
            min_steps: 0,
            weight_decay: l2,
            adam: AdamConfig {
                learning_rate: 2e-3,
                ..AdamConfig::default()
            },
            ..ChildConfig::default()
        };
        let mut trainer = Trainer::new();
        trainer.fit(&arch, &config, &fold, &mut stream(2, Stream::Child, 0));
        let layout = *trainer.layout();
        let mut params = [0.0; MAX_PARAMS];
        params[..layout.param_count()].copy_from_slice(trainer.best_params());
        let norm = |p: &[f32; MAX_PARAMS]| {
            let mut sum = 0.0;
            let mut probe = *p;
            let mut ws = Workspace::new();
            ws.load_rows(fold.rows(), 0..32);
            layout.forward(&probe, &mut ws);
            let _ = ws.loss_gradient(&layout);
            layout.backward(&mut probe, &mut ws, |start, w, _, weights| {
                if weights {
                    sum += w.iter().map(|v| v * v).sum::<f32>();
                }
                let _ = start;
            });
            sum
        };
        let mut ws = Workspace::new();
        ws.load_rows(fold.rows(), 0..32);
        layout.forward(&params, &mut ws);
        assert!(ws.loss_gradient(&layout));
        let mut probe = params;
        let mut worst: f32 = 0.0;
        layout.backward(&mut probe, &mut ws, |start, _, g, weights| {
            for (i, &gi) in g.iter().enumerate() {
                let penalty = if weights { l2 * params[start + i] } else { 0.0 };
                worst = worst.max((gi + penalty).abs());
            }
        });
        assert!(
            worst < 2e-3,
            "largest gradient of the penalised loss: {worst}"
        );
        let free = ChildConfig {
            weight_decay: 0.0,
            ..config
        };
        trainer.fit(&arch, &free, &fold, &mut stream(2, Stream::Child, 0));
        let mut unpenalised = [0.0; MAX_PARAMS];
        unpenalised[..layout.param_count()].copy_from_slice(trainer.best_params());
        assert!(
            norm(&unpenalised) > 1.5 * norm(&params),
            "{} vs {}",
            norm(&unpenalised),
            norm(&params)
        );
    }

    #[test]
    fn an_absurd_learning_rate_diverges_to_reward_zero() {
        let (x, y) = data();
        let split = split(&x, &y);
        let config = ChildConfig {
            adam: AdamConfig {
                learning_rate: 1e30,
                ..AdamConfig::default()
            },
            ..ChildConfig::default()
        };
        let arch: Arch = "[16, 16, 16, 16]".parse().unwrap();
        let out = Trainer::new().train(&arch, &config, &split, &mut stream(0, Stream::Child, 0));
        assert!(out.diverged, "{out:?}");
        assert_eq!(out.reward, 0.0);
    }

    /// The original's reward, the last epoch's accuracy: early stopping and the kept epoch are
    /// unchanged; the reward is the best's when the last epoch is the best, and at most it
    /// otherwise (strictly less for some seed).
    #[test]
    fn the_last_epochs_reward_keeps_the_stopping_and_is_at_most_the_best() {
        let (x, y) = data();
        let split = split(&x, &y);
        let arch: Arch = "[8, ReLU]".parse().unwrap();
        // Under the accuracy rule the best epoch's reward is the most accurate epoch's.
        let accuracy = ChildConfig {
            best_epoch: BestEpoch::Accuracy,
            ..ChildConfig::default()
        };
        let last = ChildConfig {
            reward_epoch: RewardEpoch::Last,
            ..accuracy
        };
        let (mut trainer, mut below) = (Trainer::new(), 0);
        for seed in 0..8 {
            let best = trainer.train(
                &arch,
                &accuracy,
                &split,
                &mut stream(seed, Stream::Child, 0),
            );
            let at_last = trainer.train(&arch, &last, &split, &mut stream(seed, Stream::Child, 0));
            assert_eq!(
                (at_last.epochs, at_last.best_epoch),
                (best.epochs, best.best_epoch)
            );
            if best.best_epoch == best.epochs {
                assert_eq!(at_last.reward, best.reward);
            }
            assert!(at_last.reward <= best.reward);
            below += usize::from(at_last.reward < best.reward);
        }
        assert!(below > 0, "the last epoch is never the best in 8 seeds");
    }

    /// The original's dev accuracy by hand: five rows all predicted class 0, labelled
    /// 0, 0, 0, 1, 1, in batches of two: (1 + ½ + 0)/3 = ½, where the exact accuracy is 3/5.
    #[test]
    fn the_batch_mean_accuracy_by_hand() {
        let x = [1.0, 0.0].repeat(5);
        let y = [0, 0, 0, 1, 1];
        let rows = Rows::new(&x, &y, crate::arch::Shape::MOONS).unwrap();
        let layout = Layout::new(&Arch::EMPTY, crate::arch::Shape::MOONS);
        let mut params = [0.0; MAX_PARAMS];
        // logit 0 = x₁, logit 1 = x₂: class 0 for every row.
        params[..4].copy_from_slice(&[1.0, 0.0, 0.0, 1.0]);
        let mut ws = Workspace::new();
        let mean = mlp::batch_mean_accuracy(&layout, &params, &mut ws, &rows, |i| i, 2);
        assert_eq!(mean, 0.5);
        assert_eq!(mlp::accuracy(&layout, &params, &mut ws, &rows), 0.6);
        // Reversed, labels 1, 1 | 0, 0 | 0: (0 + 1 + 1)/3.
        let mean = mlp::batch_mean_accuracy(&layout, &params, &mut ws, &rows, |i| 4 - i, 2);
        assert_eq!(mean, 2.0 / 3.0);
        let empty = rows.slice(0..0);
        assert_eq!(
            mlp::batch_mean_accuracy(&layout, &params, &mut ws, &empty, |i| i, 2),
            0.0
        );
    }

    /// A child trained with the batch-mean dev accuracy draws its dev order from its stream:
    /// the same stream gives the same outcome, and the reward is a mean of batch accuracies
    /// of 100 dev rows in batches of 32 (a multiple of 1/(4·32·4)).
    #[test]
    fn the_batch_mean_reward_is_reproducible() {
        let (x, y) = data();
        let split = split(&x, &y);
        let arch: Arch = "[4, Tanh]".parse().unwrap();
        let config = ChildConfig {
            dev_accuracy: DevAccuracy::BatchMean,
            max_epochs: 5,
            ..ChildConfig::default()
        };
        let mut trainer = Trainer::new();
        let a = trainer.train(&arch, &config, &split, &mut stream(3, Stream::Child, 0));
        let b = trainer.train(&arch, &config, &split, &mut stream(3, Stream::Child, 0));
        assert_eq!(a, b);
        // Batches of 32, 32, 32 and 4: the sum of correct/32 three times and correct/4 once,
        // over 4, is a whole number of 1/512ths.
        let scaled = a.reward * 512.0;
        assert_eq!(scaled, scaled.round(), "{}", a.reward);
    }
}
