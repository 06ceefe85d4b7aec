//! The GRU cell: PyTorch's `GRUCell` equations, forward and backward, for one step.
//!
//! ```text
//! r  = σ(W_ir x + b_ir + W_hr h + b_hr)
//! z  = σ(W_iz x + b_iz + W_hz h + b_hz)
//! hn = W_hn h + b_hn
//! n  = tanh(W_in x + b_in + r ⊙ hn)
//! h' = (1 − z) ⊙ n + z ⊙ h
//! ```
//!
//! The input `x` is always a one-hot token (or zeros at the first step), so `W_i· x` is a
//! column lookup, stored contiguously as `w_ih[gate][token]`. The hidden size `H` is a const
//! generic: 64 matches the original, 16 fits a small microcontroller.

use crate::arch::VOCAB;
use crate::math;

/// Gates in PyTorch's order: reset, update, new.
pub const GATES: usize = 3;

/// The cell's parameters (also used, zeroed, for Adam's moments).
#[derive(Clone, Debug, PartialEq)]
pub struct GruParams<const H: usize> {
    /// Input weights: `w_ih[gate][token]` is column `token` of PyTorch's `weight_ih` rows for
    /// that gate.
    pub w_ih: [[[f32; H]; VOCAB]; GATES],
    /// Input biases per gate.
    pub b_ih: [[f32; H]; GATES],
    /// Hidden weights: `w_hh[gate][unit][from]`, PyTorch's `weight_hh` split by gate.
    pub w_hh: [[[f32; H]; H]; GATES],
    /// Hidden biases per gate.
    pub b_hh: [[f32; H]; GATES],
}

/// What one forward step keeps for its backward step: `r`, `z`, `n` and `hn = W_hn h + b_hn`.
/// After [`backward`] the same slots hold the loss gradients of the pre-activations of
/// `r`, `z`, `n` and of `hn` (the trajectory is updated in place to save memory).
pub type StepCache<const H: usize> = [[f32; H]; 4];

impl<const H: usize> GruParams<H> {
    /// All zeros.
    pub const ZERO: Self = Self {
        w_ih: [[[0.0; H]; VOCAB]; GATES],
        b_ih: [[0.0; H]; GATES],
        w_hh: [[[0.0; H]; H]; GATES],
        b_hh: [[0.0; H]; GATES],
    };
}

/// One forward step from `h` with input token `input` (`None` = zero input) into `out`,
/// keeping what backward needs in `cache`.
pub fn forward<const H: usize>(
    p: &GruParams<H>,
    input: Option<usize>,
    h: &[f32; H],
    out: &mut [f32; H],
    cache: &mut StepCache<H>,
) {
    let column = |gate: usize, i: usize| {
        input
            .and_then(|t| p.w_ih[gate].get(t))
            .map_or(0.0, |col| col[i])
    };
    let [r, z, n, hn] = cache;
    for i in 0..H {
        let dot = |gate: usize| {
            p.w_hh[gate][i]
                .iter()
                .zip(h)
                .fold(p.b_hh[gate][i], |acc, (&w, &x)| acc + w * x)
        };
        r[i] = math::sigmoid(p.b_ih[0][i] + column(0, i) + dot(0));
        z[i] = math::sigmoid(p.b_ih[1][i] + column(1, i) + dot(1));
        hn[i] = dot(2);
        n[i] = math::tanh(p.b_ih[2][i] + column(2, i) + r[i] * hn[i]);
        out[i] = (1.0 - z[i]) * n[i] + z[i] * h[i];
    }
}

/// One backward step. `dh` is the loss gradient with respect to this step's output; `h` is
/// this step's input state. Turns `cache` into the pre-activation gradients (see
/// [`StepCache`]) and writes the gradient with respect to `h` into `dh_prev`.
pub fn backward<const H: usize>(
    p: &GruParams<H>,
    h: &[f32; H],
    dh: &[f32; H],
    cache: &mut StepCache<H>,
    dh_prev: &mut [f32; H],
) {
    let [r, z, n, hn] = cache;
    for i in 0..H {
        let (ri, zi, ni, hni) = (r[i], z[i], n[i], hn[i]);
        let d_npre = dh[i] * (1.0 - zi) * (1.0 - ni * ni);
        let d_rpre = d_npre * hni * ri * (1.0 - ri);
        let d_zpre = dh[i] * (h[i] - ni) * zi * (1.0 - zi);
        dh_prev[i] = dh[i] * zi;
        r[i] = d_rpre;
        z[i] = d_zpre;
        n[i] = d_npre;
        hn[i] = d_npre * ri;
    }
    // dh_prev += Σ_gate W_hh[gate]ᵀ · d_hidden[gate], with d_hidden = (d_rpre, d_zpre, d_hn).
    for (gate, d) in [&cache[0], &cache[1], &cache[3]].into_iter().enumerate() {
        for (row, &di) in p.w_hh[gate].iter().zip(d.iter()) {
            for (acc, &w) in dh_prev.iter_mut().zip(row) {
                *acc += w * di;
            }
        }
    }
}
