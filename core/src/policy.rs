//! The controller's policy: GRU + linear head → a distribution over the next token.
//!
//! Step `t` feeds the one-hot of token `t − 1` (zeros at `t = 0`) to the GRU; the head maps
//! the new state to [`VOCAB`] logits; a token is drawn from their softmax. Sampling stops at
//! EOS or after [`MAX_TOKENS`] tokens. A [`Trajectory`] records every step, so that
//! [`Policy::backward`] can compute, by backpropagation through time, the exact gradient of
//! `a·Σₜ log π(aₜ) + c·Σₜ Hₜ` for any coefficients `a`, `c` — REINFORCE picks them.
//!
//! Gradients are never stored as a parameter-shaped buffer: every weight gradient of this
//! network is a sum over steps of outer products of stored vectors, so [`Policy::grad_row`]
//! computes any row of it on demand from the trajectories. That is what keeps a 64-unit
//! controller's training state (weights and two Adam moments) at 3 × 61 KB.

use rand_core::Rng;

use crate::arch::{Arch, MAX_TOKENS, Token, VOCAB};
use crate::checkpoint::{Reader, Writer};
use crate::gru::{self, GATES, GruParams, StepCache};
use crate::math;
use crate::rng;
use crate::rules::ControllerInput;

/// Hidden size of the default controller (the original's).
pub const DEFAULT_HIDDEN: usize = crate::config::Hidden::DEFAULT.units();

/// All controller parameters: the GRU cell and the head (also Adam's moments, zeroed).
#[derive(Clone, Debug, PartialEq)]
pub struct ControllerParams<const H: usize> {
    /// The recurrent cell.
    pub gru: GruParams<H>,
    /// Head weights, `[token][unit]` (PyTorch's `Linear(H, 10).weight`).
    pub head_w: [[f32; H]; VOCAB],
    /// Head biases.
    pub head_b: [f32; VOCAB],
}

/// A row of [`ControllerParams`]: the unit in which gradients are computed and Adam applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    /// `gru.w_ih[gate][token]`.
    InputWeights(usize, usize),
    /// `gru.b_ih[gate]`.
    InputBias(usize),
    /// `gru.w_hh[gate][unit]`.
    HiddenWeights(usize, usize),
    /// `gru.b_hh[gate]`.
    HiddenBias(usize),
    /// `head_w[token]`.
    HeadWeights(usize),
    /// `head_b`.
    HeadBias,
}

impl<const H: usize> ControllerParams<H> {
    /// All zeros (`const`, so firmware can place the controller in a static).
    pub const ZERO: Self = Self {
        gru: GruParams::ZERO,
        head_w: [[0.0; H]; VOCAB],
        head_b: [0.0; VOCAB],
    };

    /// Number of scalar parameters.
    pub const COUNT: usize =
        GATES * VOCAB * H + GATES * H + GATES * H * H + GATES * H + VOCAB * H + VOCAB;

    /// Every row, each parameter in exactly one, in a fixed order.
    pub fn rows() -> impl Iterator<Item = Row> {
        let g = 0..GATES;
        g.clone()
            .flat_map(|g| (0..VOCAB).map(move |t| Row::InputWeights(g, t)))
            .chain(g.clone().map(Row::InputBias))
            .chain(
                g.clone()
                    .flat_map(|g| (0..H).map(move |u| Row::HiddenWeights(g, u))),
            )
            .chain(g.map(Row::HiddenBias))
            .chain((0..VOCAB).map(Row::HeadWeights))
            .chain(core::iter::once(Row::HeadBias))
    }

    /// The parameters of `row`.
    pub fn row(&self, row: Row) -> &[f32] {
        match row {
            Row::InputWeights(g, t) => &self.gru.w_ih[g][t],
            Row::InputBias(g) => &self.gru.b_ih[g],
            Row::HiddenWeights(g, u) => &self.gru.w_hh[g][u],
            Row::HiddenBias(g) => &self.gru.b_hh[g],
            Row::HeadWeights(t) => &self.head_w[t],
            Row::HeadBias => &self.head_b,
        }
    }

    /// The parameters of `row`, to change.
    pub fn row_mut(&mut self, row: Row) -> &mut [f32] {
        match row {
            Row::InputWeights(g, t) => &mut self.gru.w_ih[g][t],
            Row::InputBias(g) => &mut self.gru.b_ih[g],
            Row::HiddenWeights(g, u) => &mut self.gru.w_hh[g][u],
            Row::HiddenBias(g) => &mut self.gru.b_hh[g],
            Row::HeadWeights(t) => &mut self.head_w[t],
            Row::HeadBias => &mut self.head_b,
        }
    }

    /// Writes every row, in [`ControllerParams::rows`] order.
    pub(crate) fn save(&self, w: &mut Writer<'_>) {
        for row in Self::rows() {
            for &v in self.row(row) {
                w.f32(v);
            }
        }
    }

    /// Reads [`ControllerParams::save`]'s bytes over these parameters.
    pub(crate) fn load(&mut self, r: &mut Reader<'_>) {
        for row in Self::rows() {
            for v in self.row_mut(row) {
                *v = r.f32();
            }
        }
    }

    /// PyTorch's init for `GRUCell(10, H)` and `Linear(H, 10)`: everything uniform in `±1/√H`.
    pub fn init(&mut self, rng: &mut impl Rng) {
        let bound = 1.0 / math::sqrt(H as f32);
        for row in Self::rows() {
            for p in self.row_mut(row) {
                *p = rng::symmetric(rng, bound);
            }
        }
    }

    /// Whether every parameter is finite.
    pub fn is_finite(&mut self) -> bool {
        Self::rows().all(|row| self.row_mut(row).iter().all(|p| p.is_finite()))
    }
}

/// Whether a trajectory holds forward values or, after [`Policy::backward`], gradients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Forward,
    Gradients,
}

/// One sampled (or replayed) architecture and everything backpropagation needs.
#[derive(Clone, Debug)]
pub struct Trajectory<const H: usize> {
    actions: [Token; MAX_TOKENS],
    steps: usize,
    h: [[f32; H]; MAX_TOKENS + 1],
    cache: [StepCache<H>; MAX_TOKENS],
    logits: [[f32; VOCAB]; MAX_TOKENS],
    lse: [f32; MAX_TOKENS],
    entropy: [f32; MAX_TOKENS],
    phase: Phase,
    /// Whether the controller read zeros instead of the previous token ([`ControllerInput`]).
    zeros: bool,
}

impl<const H: usize> Default for Trajectory<H> {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl<const H: usize> Trajectory<H> {
    /// No steps (`const`, for statics).
    pub const EMPTY: Self = Self {
        actions: [Token::Eos; MAX_TOKENS],
        steps: 0,
        h: [[0.0; H]; MAX_TOKENS + 1],
        cache: [[[0.0; H]; 4]; MAX_TOKENS],
        logits: [[0.0; VOCAB]; MAX_TOKENS],
        lse: [0.0; MAX_TOKENS],
        entropy: [0.0; MAX_TOKENS],
        phase: Phase::Forward,
        zeros: false,
    };

    /// The actions taken (tokens, then EOS if it was drawn).
    pub fn actions(&self) -> &[Token] {
        &self.actions[..self.steps]
    }

    /// The architecture the actions spell.
    pub fn arch(&self) -> Arch {
        let mut arch = Arch::EMPTY;
        for &t in self.actions().iter().take_while(|&&t| t != Token::Eos) {
            let _ = arch.push(t); // at most MAX_TOKENS actions
        }
        arch
    }

    /// `Σₜ log π(aₜ)`, the log-probability of the whole sequence.
    pub fn log_prob(&self) -> f32 {
        (0..self.steps)
            .map(|t| self.logits[t][usize::from(self.actions[t].index())] - self.lse[t])
            .sum()
    }

    /// `Σₜ Hₜ`, the summed entropy of the step distributions.
    pub fn entropy(&self) -> f32 {
        self.entropy[..self.steps].iter().sum()
    }

    /// The token probabilities at step `t` (`None` past the last step).
    pub fn probabilities(&self, t: usize) -> Option<[f32; VOCAB]> {
        (t < self.steps)
            .then(|| core::array::from_fn(|k| math::exp(self.logits[t][k] - self.lse[t])))
    }
}

/// The controller: its parameters and the forward, sampling and backward passes.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy<const H: usize> {
    /// The weights.
    pub params: ControllerParams<H>,
    /// What it reads at each step: the previous token (the default) or zeros.
    pub input: ControllerInput,
}

impl<const H: usize> Policy<H> {
    /// A policy with all-zero weights, i.e. uniform over tokens (`const`, for statics).
    pub const UNIFORM: Self = Self {
        params: ControllerParams::ZERO,
        input: ControllerInput::Previous,
    };

    /// A policy with PyTorch's initial weights drawn from `rng`.
    pub fn new(rng: &mut impl Rng) -> Self {
        const { assert!(H > 0, "the controller needs at least one hidden unit") };
        let mut policy = Self::UNIFORM;
        policy.params.init(rng);
        policy
    }

    /// Runs step `t` of `traj` with input token `input`; returns the step's logits' lse.
    fn step(&self, traj: &mut Trajectory<H>, t: usize, input: Option<Token>) {
        let (before, after) = traj.h.split_at_mut(t + 1);
        gru::forward(
            &self.params.gru,
            input.map(|tok| usize::from(tok.index())),
            &before[t],
            &mut after[0],
            &mut traj.cache[t],
        );
        let h = &after[0];
        let logits = &mut traj.logits[t];
        for ((z, row), &b) in logits
            .iter_mut()
            .zip(&self.params.head_w)
            .zip(&self.params.head_b)
        {
            *z = row.iter().zip(h).fold(b, |acc, (&w, &x)| acc + w * x);
        }
        let lse = math::log_sum_exp(logits);
        traj.lse[t] = lse;
        traj.entropy[t] = -logits
            .iter()
            .map(|&z| math::exp(z - lse) * (z - lse))
            .sum::<f32>();
    }

    /// Runs the policy, choosing each action with `choose(t, step logits, lse)`.
    fn run(
        &self,
        traj: &mut Trajectory<H>,
        mut choose: impl FnMut(usize, &[f32; VOCAB], f32) -> Token,
    ) {
        traj.steps = 0;
        traj.phase = Phase::Forward;
        traj.zeros = self.input == ControllerInput::Zeros;
        traj.h[0] = [0.0; H];
        let mut input = None;
        for t in 0..MAX_TOKENS {
            self.step(traj, t, input);
            let action = choose(t, &traj.logits[t], traj.lse[t]);
            traj.actions[t] = action;
            traj.steps = t + 1;
            if action == Token::Eos {
                break;
            }
            if !traj.zeros {
                input = Some(action);
            }
        }
    }

    /// Samples an architecture from `rng` into `traj`.
    pub fn sample(&self, rng: &mut impl Rng, traj: &mut Trajectory<H>) {
        self.run(traj, |_, logits, lse| {
            let u = rng::uniform(rng);
            let mut cumulative = 0.0;
            let mut last = Token::Eos;
            for (&tok, &z) in Token::ALL.iter().zip(logits) {
                let p = math::exp(z - lse);
                if p > 0.0 {
                    last = tok;
                }
                cumulative += p;
                if u < cumulative {
                    return tok;
                }
            }
            last // rounding left the cumulative sum just below u
        });
    }

    /// Replays `arch` (teacher forcing) into `traj`, as if it had been sampled.
    pub fn replay(&self, arch: &Arch, traj: &mut Trajectory<H>) {
        let actions = arch.actions();
        self.run(traj, |t, _, _| {
            actions.get(t).copied().unwrap_or(Token::Eos)
        });
    }

    /// The most likely token at every step (greedy decoding), and its probability.
    pub fn greedy(&self, traj: &mut Trajectory<H>) -> (Arch, f32) {
        self.run(traj, |_, logits, _| {
            let best = (0..VOCAB).fold(0, |b, k| if logits[k] > logits[b] { k } else { b });
            Token::ALL[best]
        });
        (traj.arch(), math::exp(traj.log_prob()))
    }

    /// Backpropagation through time: turns `traj` into the gradient of
    /// `coef_log_prob·Σ log π(aₜ) + coef_entropy·Σ Hₜ` (read it with [`Policy::grad_row`]).
    /// Calling it twice on one trajectory does nothing the second time.
    pub fn backward(&self, traj: &mut Trajectory<H>, coef_log_prob: f32, coef_entropy: f32) {
        if traj.phase == Phase::Gradients {
            return;
        }
        let mut dh_next = [0.0f32; H];
        for t in (0..traj.steps).rev() {
            let action = usize::from(traj.actions[t].index());
            let (lse, entropy) = (traj.lse[t], traj.entropy[t]);
            let logits = &mut traj.logits[t];
            for (k, z) in logits.iter_mut().enumerate() {
                let log_p = *z - lse;
                let p = math::exp(log_p);
                let chosen = if k == action { 1.0 } else { 0.0 };
                *z = coef_log_prob * (chosen - p) - coef_entropy * p * (log_p + entropy);
            }
            let mut dh = dh_next;
            for (row, &d) in self.params.head_w.iter().zip(logits.iter()) {
                for (acc, &w) in dh.iter_mut().zip(row) {
                    *acc += w * d;
                }
            }
            gru::backward(
                &self.params.gru,
                &traj.h[t],
                &dh,
                &mut traj.cache[t],
                &mut dh_next,
            );
        }
        traj.phase = Phase::Gradients;
    }

    /// Writes into `out` (the row's length) row `row` of the gradient summed over `trajs`,
    /// each already through [`Policy::backward`] (others are skipped).
    pub fn grad_row(trajs: &[Trajectory<H>], row: Row, out: &mut [f32]) {
        out.fill(0.0);
        let axpy = |out: &mut [f32], a: f32, x: &[f32]| {
            for (o, &v) in out.iter_mut().zip(x) {
                *o += a * v;
            }
        };
        for traj in trajs.iter().filter(|t| t.phase == Phase::Gradients) {
            for t in 0..traj.steps {
                let cache = &traj.cache[t];
                // d_hidden per gate: reset and update share the input side's gradient; the
                // new gate's hidden side is hn's gradient (slot 3).
                let hidden = |g: usize| if g == 2 { &cache[3] } else { &cache[g] };
                match row {
                    Row::InputWeights(g, tok) => {
                        let input = t
                            .checked_sub(1)
                            .filter(|_| !traj.zeros)
                            .map(|p| usize::from(traj.actions[p].index()));
                        if input == Some(tok) {
                            axpy(out, 1.0, &cache[g]);
                        }
                    }
                    Row::InputBias(g) => axpy(out, 1.0, &cache[g]),
                    Row::HiddenWeights(g, u) => axpy(out, hidden(g)[u], &traj.h[t]),
                    Row::HiddenBias(g) => axpy(out, 1.0, hidden(g)),
                    Row::HeadWeights(k) => axpy(out, traj.logits[t][k], &traj.h[t + 1]),
                    Row::HeadBias => axpy(out, 1.0, &traj.logits[t]),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};

    const H: usize = 6;

    fn objective(policy: &Policy<H>, arch: &Arch, a: f32, c: f32) -> f32 {
        let mut traj = Trajectory::EMPTY;
        policy.replay(arch, &mut traj);
        a * traj.log_prob() + c * traj.entropy()
    }

    /// The controller initialised from `seed`, every weight multiplied by `factor`.
    fn scaled(seed: u64, factor: f32) -> Policy<H> {
        let mut policy = Policy::<H>::new(&mut stream(seed, Stream::Controller, 0));
        for row in ControllerParams::<H>::rows() {
            policy
                .params
                .row_mut(row)
                .iter_mut()
                .for_each(|p| *p *= factor);
        }
        policy
    }

    /// Every parameter's gradient of `a·Σ log π + c·Σ H` against central differences.
    fn check(arch: &Arch, a: f32, c: f32) {
        check_with(arch, a, c, ControllerInput::Previous);
    }

    fn check_with(arch: &Arch, a: f32, c: f32, input: ControllerInput) {
        // Larger weights than the init make the check sensitive to every term.
        let mut policy = scaled(1, 3.0);
        policy.input = input;
        let mut traj = Trajectory::EMPTY;
        policy.replay(arch, &mut traj);
        policy.backward(&mut traj, a, c);
        let trajs = [traj];
        let eps = 1e-3;
        let mut checked = 0;
        for row in ControllerParams::<H>::rows() {
            let mut grad = [0.0f32; if H > VOCAB { H } else { VOCAB }];
            let len = policy.params.row_mut(row).len();
            Policy::grad_row(&trajs, row, &mut grad[..len]);
            for (i, &analytic) in grad[..len].iter().enumerate() {
                let mut p = policy.clone();
                p.params.row_mut(row)[i] += eps;
                let up = objective(&p, arch, a, c);
                p.params.row_mut(row)[i] -= 2.0 * eps;
                let down = objective(&p, arch, a, c);
                let numeric = (up - down) / (2.0 * eps);
                let tol = 3e-3 + 2e-2 * numeric.abs();
                assert!(
                    (numeric - analytic).abs() <= tol,
                    "{arch} a={a} c={c} {row:?}[{i}]: analytic {analytic} vs numeric {numeric}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, ControllerParams::<H>::COUNT);
    }

    #[test]
    fn log_prob_gradient_through_time_matches_finite_differences() {
        for arch in [
            "[16, Tanh, 8, ReLU]",
            "[]",
            "[1, 1, Sigmoid, 4, LeakyReLU, 16]",
        ] {
            check(&arch.parse().unwrap(), 1.0, 0.0);
        }
    }

    #[test]
    fn entropy_gradient_through_time_matches_finite_differences() {
        for arch in ["[16, Tanh, 8, ReLU]", "[2, 2, 2, 2, 2, 2]"] {
            check(&arch.parse().unwrap(), 0.0, 1.0);
        }
        check(&"[Tanh, 4]".parse().unwrap(), -0.7, 0.3);
    }

    #[test]
    fn greedy_takes_the_most_likely_token_at_every_step() {
        for seed in 0..5 {
            let policy = scaled(seed, 4.0);
            let mut traj = Trajectory::EMPTY;
            let (arch, p) = policy.greedy(&mut traj);
            let mut replayed = Trajectory::EMPTY;
            policy.replay(&arch, &mut replayed);
            let mut product = 1.0f32;
            for (t, action) in replayed.actions().iter().enumerate() {
                let probs = replayed.probabilities(t).unwrap();
                let best = (0..VOCAB).fold(0, |b, k| if probs[k] > probs[b] { k } else { b });
                assert_eq!(usize::from(action.index()), best, "seed {seed} step {t}");
                product *= probs[best];
            }
            assert!((p - product).abs() <= 1e-5 * product, "{p} vs {product}");
            assert!(p > 0.0 && p < 1.0);
        }
    }

    #[test]
    fn one_non_finite_parameter_is_found() {
        let mut params = Policy::<H>::new(&mut stream(0, Stream::Controller, 0)).params;
        assert!(params.is_finite());
        for (k, row) in ControllerParams::<H>::rows().enumerate() {
            let mut p = params.clone();
            let r = p.row_mut(row);
            let last = r.len() - 1;
            r[k % (last + 1)] = if k % 2 == 0 { f32::NAN } else { f32::INFINITY };
            assert!(!p.is_finite(), "{row:?}");
        }
        params.row_mut(ControllerParams::<H>::rows().last().unwrap())[0] = 1e30;
        assert!(params.is_finite());
    }

    #[test]
    fn uniform_policy_has_maximal_entropy_and_uniform_probabilities() {
        let policy = Policy::<H>::UNIFORM;
        let mut traj = Trajectory::EMPTY;
        policy.replay(&"[4, ReLU]".parse().unwrap(), &mut traj);
        let h_max = math::ln(VOCAB as f32);
        assert!((traj.entropy() - 3.0 * h_max).abs() < 1e-5);
        assert!((traj.log_prob() + 3.0 * h_max).abs() < 1e-5);
        let p = traj.probabilities(0).unwrap();
        assert!(p.iter().all(|&x| (x - 0.1).abs() < 1e-6));
        assert_eq!(traj.probabilities(3), None);
    }

    #[test]
    fn sampling_follows_the_distribution() {
        // Under the uniform policy, the first token is each of the 10 about 10 % of the time,
        // and the architecture's length is geometric (EOS with probability 0.1 per step).
        let policy = Policy::<H>::UNIFORM;
        let mut rng = stream(5, Stream::Controller, 0);
        let mut traj = Trajectory::EMPTY;
        let (mut first, mut full) = ([0u32; VOCAB], 0);
        for _ in 0..20_000 {
            policy.sample(&mut rng, &mut traj);
            first[usize::from(traj.actions()[0].index())] += 1;
            full += u32::from(traj.arch().len() == MAX_TOKENS);
        }
        assert!(
            first.iter().all(|&c| (1_800..2_200).contains(&c)),
            "{first:?}"
        );
        // P(no EOS in 6 draws) = 0.9^6 = 0.531.
        assert!(
            (10_300..10_950).contains(&full),
            "{full} full-length of 20000"
        );
    }

    #[test]
    fn replay_reproduces_a_sample() {
        let policy = Policy::<H>::new(&mut stream(2, Stream::Controller, 0));
        let mut rng = stream(2, Stream::Controller, 1);
        let (mut a, mut b) = (Trajectory::EMPTY, Trajectory::EMPTY);
        for _ in 0..50 {
            policy.sample(&mut rng, &mut a);
            policy.replay(&a.arch(), &mut b);
            assert_eq!(a.actions(), b.actions());
            assert_eq!(a.log_prob().to_bits(), b.log_prob().to_bits());
        }
    }

    #[test]
    fn parameter_count_matches_pytorch() {
        // GRUCell(10, 64): 3·64·10 + 3·64·64 + 2·3·64; Linear(64, 10): 640 + 10.
        assert_eq!(ControllerParams::<64>::COUNT, 15_242);
        let total: usize = ControllerParams::<64>::rows()
            .map(|r| ControllerParams::<64>::ZERO.clone().row_mut(r).len())
            .sum();
        assert_eq!(total, 15_242);
    }

    /// The original's controller reads zeros: its gradient through time still matches finite
    /// differences (the input weights get none), and a step's distribution does not depend
    /// on the tokens before it.
    #[test]
    fn with_zero_inputs_the_gradient_matches_and_the_past_does_not_matter() {
        for arch in ["[8, Tanh, 16]", "[ReLU, 2, LeakyReLU, 4, Sigmoid, 1]"] {
            check_with(&arch.parse().unwrap(), 1.0, 0.5, ControllerInput::Zeros);
        }
        let mut policy = scaled(2, 3.0);
        policy.input = ControllerInput::Zeros;
        let (mut a, mut b) = (Trajectory::EMPTY, Trajectory::EMPTY);
        policy.replay(&"[8, Tanh, 16]".parse().unwrap(), &mut a);
        policy.replay(&"[Sigmoid, 1, 2]".parse().unwrap(), &mut b);
        for t in 0..3 {
            assert_eq!(a.probabilities(t), b.probabilities(t), "step {t}");
        }
        // Reading the previous token, the same two differ from the second step on.
        policy.input = ControllerInput::Previous;
        policy.replay(&"[8, Tanh, 16]".parse().unwrap(), &mut a);
        policy.replay(&"[Sigmoid, 1, 2]".parse().unwrap(), &mut b);
        assert_eq!(a.probabilities(0), b.probabilities(0));
        assert_ne!(a.probabilities(1), b.probabilities(1));
    }
}
