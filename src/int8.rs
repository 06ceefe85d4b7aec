//! Post-training int8 quantisation of a [`Model`], and its integer-only inference: the
//! reference that `export --format c --int8` (and the Arduino library) must match bit for bit.
//!
//! The scheme, symmetric throughout (zero is exactly 0):
//! - **Inputs** ([`Front`]): each raw `f32` feature becomes an `i8` in integers alone, read
//!   from its bits: `x · 2ᵗ` truncated to an integer (`t` the feature's shift), less the
//!   feature's offset (its mean at that scale), times a 16-bit multiplier, over 2²³, rounded
//!   half up and saturated. The standardisation and the input's scale are folded into the
//!   three constants, so a part without an FPU links no float routine (a caller with its own
//!   integer sensor pipeline hands `i8` inputs straight to the network).
//! - **Lead activations** (before the first linear layer): a 256-entry table from the input's
//!   `i8` to the activations' `i8`.
//! - **Hidden layers**: `i8` weights with one scale per output row, `i32` biases at the scale
//!   `weight × input`, `i32` accumulation (a row of 64 products of ±127·127 and a bias of at
//!   most 2³⁰ cannot overflow). The sum is requantised to the pre-activation's `i8` by a
//!   fixed-point multiplier `m / 2²⁴` (rounded to nearest, a half down, saturating; a sum so
//!   large that its product would leave `i32` saturates at once), then the layer's
//!   activations, composed, are one 256-entry table. A layer with no activation keeps the requantised values.
//! - **Logits**: the last layer has one weight scale for all rows, so its `i32` sums share a
//!   scale and the class is their arg-max (the lowest class on a tie), without rescaling.
//! - **Ensembles**: each member's weights are quantised on their own; the inputs, the lead
//!   table and each hidden layer's pre-activation scale (the largest over the members) and so
//!   its activations' table are shared. Member `m`'s `i32` logits, of scale `sₘ`, are weighed
//!   by the integer
//!   `Wₘ = round(2²⁴ · sₘ / S)` (`S` the largest `sₘ`, so `Wₘ ≤ 2²⁴`) and summed in `i64`: the
//!   sum is exact (`|zₘ · Wₘ| < 2⁵⁵`), so its arg-max is the same on every target. One unit of
//!   it is `S / (2²⁴ · members)` of the mean logit. An ensemble of one has `W₀ = 2²⁴`.
//!
//! Scales come from calibration rows (the run's train split) through the float network: each
//! tensor's largest magnitude maps to 127. A table's output scale is its largest magnitude
//! over all 256 inputs. Every constant is computed here, once; the emitters only print them.

use piconas_core::arch::Activation;

use crate::failure::Failure;
use crate::file_errors::ExportError;
use crate::layers::{Model, apply_all};

/// The fixed-point shift of the requantisation multipliers.
pub const SHIFT: u32 = 24;

/// What requantisation adds before the shift: just under a half (`2²³ − 1`), so that a half
/// rounds down (see [`requantized`]). The C header adds the same.
pub const HALF_DOWN: i32 = (1 << (SHIFT - 1)) - 1;

/// A 256-entry activation table: entry `q + 128` is the output for input `q`.
pub type Table = Vec<i8>;

/// How a hidden layer's `i32` sums become its `i8` outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Requantize {
    /// Per output row: the multiplier `m` of `sum · m / 2²⁴`.
    pub multiplier: Vec<i32>,
    /// Per output row: the largest sum whose product `sum · m` (plus the rounding) stays in
    /// `i32`; beyond it, `(limit + 1) · m > 2³¹ − 2²³ − 1`, so larger sums round past ±127.5
    /// and saturate.
    pub limit: Vec<i32>,
    /// The layer's activations as one table, if it has any.
    pub table: Option<Table>,
}

/// One quantised linear layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// Inputs per output.
    pub fan_in: usize,
    /// Outputs.
    pub fan_out: usize,
    /// `[out][in]`, row-major.
    pub weights: Vec<i8>,
    /// One per output, in the units of the sums (input scale times weight scale).
    pub bias: Vec<i32>,
    /// `None` for the last layer: its sums are the logits.
    pub requantize: Option<Requantize>,
}

/// One member of an integer-only ensemble.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// Its layers, the last giving the logits.
    pub layers: Vec<Layer>,
    /// The real value of one unit of its `i32` logits.
    pub logit_scale: f64,
    /// The integer weight `Wₘ` of its logits in the ensemble's `i64` sum.
    pub weight: i32,
}

/// The multiplier's fixed-point shift in the front: `q = (x·2ᵗ − offset) · multiplier / 2²³`.
pub const FRONT_SHIFT: u32 = 23;

/// The largest magnitude of `x · 2ᵗ` and of an offset: both fit `i32`, and so does their
/// difference.
pub const FRONT_LIMIT: i32 = 1 << 30;

/// The largest magnitude of `x · 2ᵗ − offset` the front multiplies (an `int16_t`): beyond it
/// the input saturates anyway, since every multiplier is at least 2¹⁵ (see [`Front`]).
pub const FRONT_CLAMP: i32 = 32767;

/// How raw features become the network's `i8` inputs, in integers from their `f32` bits. For
/// feature `j`, with `a` its real input scale (the standardisation's `1/scale` times the
/// inputs' inverse scale) and `mean` its mean (0 unless standardised):
/// - `shift[j]` = `t`, chosen so that `multiplier[j] = round(a · 2^(23 − t))` lies in
///   [2¹⁵, 2¹⁶): one step of the input is 128 to 256 units of `x · 2ᵗ`, so truncating `x · 2ᵗ`
///   to an integer moves it by less than 1/128 of a step;
/// - `offset[j]` = `round(mean · 2ᵗ)` within ±2³⁰.
///
/// See [`Front::input`] for the steps; the C header does the same (`piconas_front`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Front {
    /// Per feature: the power of two `t` the raw value is scaled by.
    pub shift: Vec<i8>,
    /// Per feature: the mean at that scale.
    pub offset: Vec<i32>,
    /// Per feature: the input scale at that scale, in [2¹⁵, 2¹⁶).
    pub multiplier: Vec<u16>,
}

/// `x · 2ᵗ` truncated toward zero, within ±2³⁰, from `x`'s bits: zero and subnormal values
/// read as 0, infinities and NaN saturate by their sign bit.
pub fn fixed(x: f32, t: i8) -> i32 {
    let bits = x.to_bits();
    let exponent = ((bits >> 23) & 0xff) as i32;
    let magnitude = if exponent == 0 {
        0
    } else {
        let mantissa = (bits & 0x7f_ffff) | 0x80_0000;
        let shift = exponent - 150 + i32::from(t);
        if shift >= 7 || exponent == 255 {
            FRONT_LIMIT
        } else if shift >= 0 {
            (mantissa << shift) as i32
        } else if shift < -24 {
            0
        } else {
            (mantissa >> -shift) as i32
        }
    };
    if bits >> 31 == 1 {
        -magnitude
    } else {
        magnitude
    }
}

impl Front {
    /// The front of features with real input scales `scales` and `means` (each in `f64`), or
    /// the first feature whose scale no shift of `i8` reaches.
    pub fn new(scales: &[f64], means: &[f64]) -> Result<Front, usize> {
        let mut front = Front::default();
        for (j, (&a, &mean)) in scales.iter().zip(means).enumerate() {
            let (t, multiplier) = Front::scaled(a).ok_or(j)?;
            let offset = round_within(mean * 2f64.powi(t), FRONT_LIMIT.into());
            front.shift.push(t as i8);
            front.offset.push(offset as i32);
            front.multiplier.push(multiplier);
        }
        Ok(front)
    }

    /// The shift `t` and multiplier `round(a · 2^(23 − t))` in [2¹⁵, 2¹⁶) of the real scale
    /// `a`; `None` if `t` would leave `i8` (or `a` is not a positive number).
    fn scaled(a: f64) -> Option<(i32, u16)> {
        if !(a > 0.0 && a.is_finite()) {
            return None;
        }
        // a · 2^(15 − floor(log2 a)) lies in [2¹⁵, 2¹⁶); rounded, it may reach 2¹⁶ (a just
        // under a power of two), and then the next shift halves it.
        let mut t = a.log2().floor() as i32 + 8;
        let multiplier = |t: i32| (a * 2f64.powi(FRONT_SHIFT as i32 - t)).round();
        if multiplier(t) >= 65536.0 {
            t += 1;
        }
        let m = multiplier(t);
        // Out of [2¹⁵, 2¹⁶) only if log2 erred by far more than its ulp: refused, not wrong.
        let fits = (32768.0..65536.0).contains(&m) && i8::try_from(t).is_ok();
        fits.then_some((t, m as u16))
    }

    /// Raw feature `j`'s input: `d = clamp(x·2ᵗ − offset, ±32767)`, then
    /// `floor((d · multiplier + 2²²) / 2²³)` saturated to `i8` (a half rounds up). Integers
    /// only, in `i32` as the C does: both terms of `d` are within ±2³⁰, `d · multiplier` fits,
    /// and the rounding is done as `(floor(v / 2²²) + 1) >> 1` so that adding the half cannot
    /// overflow.
    pub fn input(&self, j: usize, x: f32) -> i8 {
        let d = (fixed(x, self.shift[j]) - self.offset[j]).clamp(-FRONT_CLAMP, FRONT_CLAMP);
        let v = d * i32::from(self.multiplier[j]);
        (((v >> (FRONT_SHIFT - 1)) + 1) >> 1).clamp(-128, 127) as i8
    }
}

/// An integer-only ensemble of networks (one network: an ensemble of one).
#[derive(Clone, Debug, PartialEq)]
pub struct Int8Model {
    /// How raw features become its `i8` inputs.
    pub front: Front,
    /// The lead activations as one table, if there are any.
    pub lead: Option<Table>,
    /// At least one.
    pub members: Vec<Member>,
    /// The real value of one unit of the `i64` logits: of the members' mean logit (for a
    /// softmax, if wanted).
    pub logit_scale: f32,
}

/// The scale that maps `max_abs` to 127 (1 for an all-zero or non-finite tensor).
fn scale_for(max_abs: f64) -> f64 {
    if max_abs > 0.0 && max_abs.is_finite() {
        max_abs / 127.0
    } else {
        1.0
    }
}

fn max_abs<'a>(values: impl IntoIterator<Item = &'a f32>) -> f64 {
    values
        .into_iter()
        .map(|v| f64::from(v.abs()))
        .fold(0.0, f64::max)
}

/// `v` rounded to the nearest integer within ±`bound`.
fn round_within(v: f64, bound: i64) -> i64 {
    (v.round() as i64).clamp(-bound, bound)
}

/// The table of `activations` for inputs `q · scale`, and its output scale.
fn table(activations: &[Activation], scale: f64) -> (Table, f64) {
    let outputs: Vec<f32> = (-128..=127)
        .map(|q| apply_all(activations, (f64::from(q) * scale) as f32))
        .collect();
    let out_scale = scale_for(max_abs(&outputs));
    let table = outputs
        .iter()
        .map(|&y| round_within(f64::from(y) / out_scale, 127) as i8)
        .collect();
    (table, out_scale)
}

/// A hidden layer's requantisation from the scale `from` of each row's sums to `to`.
fn requantize(from: &[f64], to: f64, table: Option<Table>) -> Requantize {
    let room = (1i64 << 31) - (1i64 << (SHIFT - 1)) - 1;
    let multiplier: Vec<i32> = from
        .iter()
        .map(|s| round_within(s / to * f64::from(1u32 << SHIFT), 1 << 30) as i32)
        .collect();
    let limit = multiplier
        .iter()
        .map(|&m| (room / i64::from(m.max(1))) as i32)
        .collect();
    Requantize {
        multiplier,
        limit,
        table,
    }
}

impl Int8Model {
    /// Quantises `model`, calibrated on `rows`: the network's inputs (standardised, as
    /// [`Model::standardised`] makes them), row-major; the run's train split.
    pub fn quantize(model: &Model, rows: &[f32]) -> Result<Int8Model, Failure> {
        let d = model.inputs();
        if rows.is_empty() || !rows.len().is_multiple_of(d) {
            return Err(ExportError::NoCalibrationRows.into());
        }
        let input_scale = scale_for(max_abs(rows));
        let (lead, scale) = if model.lead.is_empty() {
            (None, input_scale)
        } else {
            let (t, s) = table(&model.lead, input_scale);
            (Some(t), s)
        };
        // Each hidden layer's pre-activation scale is the largest over the members, so that
        // its activations' table is one for them all.
        // Row by row (a million rows' traces are never held at once): a maximum is the same
        // in any order.
        let hidden = model.layers().len().saturating_sub(1);
        let mut peak = vec![0.0f64; hidden];
        for m in 0..model.members.len() {
            for r in rows.chunks_exact(d) {
                for (p, (pre, _)) in peak.iter_mut().zip(model.trace(m, r)) {
                    *p = p.max(max_abs(&pre));
                }
            }
        }
        let pre: Vec<f64> = peak.into_iter().map(scale_for).collect();
        let mut members: Vec<Member> = (0..model.members.len())
            .map(|m| member(model, m, scale, &pre))
            .collect();
        let top = members.iter().map(|m| m.logit_scale).fold(0.0, f64::max);
        for m in &mut members {
            m.weight =
                round_within(m.logit_scale / top * f64::from(1u32 << SHIFT), 1 << SHIFT) as i32;
        }
        let count = members.len().max(1) as f64;
        Ok(Int8Model {
            front: front(model, input_scale)?,
            lead,
            members,
            logit_scale: (top / f64::from(1u32 << SHIFT) / count) as f32,
        })
    }

    /// One raw row as the network's `i8` inputs (integers only, see [`Front`]).
    pub fn input(&self, raw: &[f32]) -> Vec<i8> {
        raw.iter()
            .enumerate()
            .map(|(j, &x)| self.front.input(j, x))
            .collect()
    }

    /// The `i64` logits of one row of `i8` inputs (from [`Int8Model::input`]): each member's
    /// `i32` logits times its weight, summed in member order. Integers only.
    pub fn logits(&self, input: &[i8]) -> Vec<i64> {
        let mut total: Vec<i64> = Vec::new();
        for (m, member) in self.members.iter().enumerate() {
            let z = self.member_logits(m, input);
            total.resize(z.len(), 0);
            for (t, v) in total.iter_mut().zip(z) {
                *t += i64::from(v) * i64::from(member.weight);
            }
        }
        total
    }

    /// Member `m`'s `i32` logits of one row of `i8` inputs (none past the last member).
    pub fn member_logits(&self, m: usize, input: &[i8]) -> Vec<i32> {
        let lead = |q: i8| self.lead.as_ref().map_or(q, |t| lookup(t, q));
        let mut a: Vec<i8> = input.iter().map(|&q| lead(q)).collect();
        let mut sums = Vec::new();
        let layers = self.members.get(m).map_or(&[][..], |m| m.layers.as_slice());
        for layer in layers {
            sums = (0..layer.fan_out)
                .map(|j| {
                    let row = &layer.weights[j * layer.fan_in..][..layer.fan_in];
                    let dot: i32 = row
                        .iter()
                        .zip(&a)
                        .map(|(&w, &x)| i32::from(w) * i32::from(x))
                        .sum();
                    layer.bias[j] + dot
                })
                .collect();
            if let Some(r) = &layer.requantize {
                a = sums
                    .iter()
                    .enumerate()
                    .map(|(j, &s)| {
                        let q = requantized(s, r.multiplier[j], r.limit[j]);
                        r.table.as_ref().map_or(q, |t| lookup(t, q))
                    })
                    .collect();
            }
        }
        sums
    }

    /// The class of one raw row: the largest logit, the lowest class on a tie.
    pub fn predict(&self, raw: &[f32]) -> u8 {
        argmax(&self.logits(&self.input(raw)))
    }
}

/// The front of `model`'s raw features, whose standardised values have the scale
/// `input_scale`: each feature's real scale is `1 / (input_scale · scale)`.
fn front(model: &Model, input_scale: f64) -> Result<Front, Failure> {
    let d = model.inputs();
    let (scales, means): (Vec<f64>, Vec<f64>) = match &model.standardize {
        Some(z) => z
            .scale
            .iter()
            .zip(&z.mean)
            .map(|(&s, &m)| (1.0 / (input_scale * f64::from(s)), f64::from(m)))
            .unzip(),
        None => (vec![1.0 / input_scale; d], vec![0.0; d]),
    };
    Front::new(&scales, &means).map_err(|feature| ExportError::InputScale { feature }.into())
}

/// Member `m` of `model` quantised: its inputs of scale `scale` (after the lead table), each
/// hidden layer `l`'s pre-activations of scale `pre[l]` (shared by the members). Its weight
/// in the ensemble is set by the caller.
fn member(model: &Model, m: usize, mut scale: f64, pre: &[f64]) -> Member {
    let dense_layers = &model.members[m];
    let last = dense_layers.len() - 1;
    let mut layers = Vec::with_capacity(dense_layers.len());
    let mut logit_scale = 1.0;
    for (l, dense) in dense_layers.iter().enumerate() {
        // Per-row weight scales for hidden layers, one shared by the logits.
        let row_scales: Vec<f64> = if l == last {
            vec![scale_for(max_abs(&dense.weights)); dense.fan_out]
        } else {
            (0..dense.fan_out)
                .map(|j| scale_for(max_abs(dense.row(j))))
                .collect()
        };
        let weights = (0..dense.fan_out)
            .flat_map(|j| {
                let s = row_scales[j];
                dense
                    .row(j)
                    .iter()
                    .map(move |&w| round_within(f64::from(w) / s, 127) as i8)
            })
            .collect();
        let sum_scales: Vec<f64> = row_scales.iter().map(|s| s * scale).collect();
        let bias = dense
            .bias
            .iter()
            .zip(&sum_scales)
            .map(|(&b, s)| round_within(f64::from(b) / s, 1 << 30) as i32)
            .collect();
        let requant = if l == last {
            logit_scale = sum_scales[0];
            None
        } else {
            let pre = pre.get(l).copied().unwrap_or(1.0);
            let (t, out) = if dense.then.is_empty() {
                (None, pre)
            } else {
                let (t, s) = table(&dense.then, pre);
                (Some(t), s)
            };
            scale = out;
            Some(requantize(&sum_scales, pre, t))
        };
        layers.push(Layer {
            fan_in: dense.fan_in,
            fan_out: dense.fan_out,
            weights,
            bias,
            requantize: requant,
        });
    }
    Member {
        layers,
        logit_scale,
        weight: 1 << SHIFT,
    }
}

/// The largest value's index, the lowest on a tie.
pub fn argmax<T: PartialOrd + Copy>(values: &[T]) -> u8 {
    let mut best = 0;
    for (c, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = c;
        }
    }
    best as u8
}

/// Table `t`'s output for `q`.
pub fn lookup(t: &[i8], q: i8) -> i8 {
    t[(i32::from(q) + 128) as usize]
}

/// `sum · m / 2²⁴` rounded to nearest, a half down, and saturated to `i8`; a sum beyond
/// ±`limit` saturates at once (its product would leave `i32`). Rounding a half down makes
/// that exact on both sides: the first sum past the limit already rounds to at least 127 or
/// at most −128 (a half up, −(limit + 1) could round to −127).
pub fn requantized(sum: i32, m: i32, limit: i32) -> i8 {
    if sum > limit {
        return 127;
    }
    if sum < -limit {
        return -128;
    }
    let v = (sum * m + HALF_DOWN) >> SHIFT;
    v.clamp(-128, 127) as i8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Scaling;

    #[test]
    fn fixed_point_reads_the_bits_truncating_toward_zero() {
        let cases = [
            (0.0, 0, 0),
            (-0.0, 5, 0),
            (1.0, 0, 1),
            (1.5, 1, 3),
            (-2.75, 2, -11),
            (0.7, 3, 5), // 5.6
            (-0.7, 3, -5),
            (0.99, 0, 0),
            (12345.0, -4, 771), // 771.5625
            (1e-40, 100, 0),    // a subnormal reads as 0
            (f32::MIN_POSITIVE, 126, 1),
            (3e38, 0, FRONT_LIMIT),
            (-3e38, -120, -225), // −225.7
            (-3e38, 0, -FRONT_LIMIT),
            ((1 << 30) as f32, 0, FRONT_LIMIT),
            (((1 << 30) - 64) as f32, 0, (1 << 30) - 64),
            (f32::INFINITY, -128, FRONT_LIMIT),
            (f32::NEG_INFINITY, 0, -FRONT_LIMIT),
            (f32::NAN, -128, FRONT_LIMIT),
            (-f32::NAN, 0, -FRONT_LIMIT),
            (1.0, -24, 0),
            (16_777_215.0, -23, 1), // just under 2²⁴: a shift of 23 leaves 1
            (16_777_216.0, -24, 1),
        ];
        for (x, t, want) in cases {
            assert_eq!(fixed(x, t), want, "{x} · 2^{t}");
        }
    }

    #[test]
    fn each_multiplier_is_sixteen_bits_with_the_top_one_set() {
        for a in [
            1e-30,
            0.001,
            0.37,
            1.0,
            1.999_99,
            2.0,
            127.0 / 3.0,
            65535.5,
            1e25,
        ] {
            let (t, m) = Front::scaled(a).unwrap();
            assert!(m >= 1 << 15, "{a}: {m}");
            let real = a * 2f64.powi(FRONT_SHIFT as i32 - t);
            assert!((f64::from(m) - real).abs() <= 0.5, "{a}: {m} for {real}");
        }
        // Scales no shift of i8 reaches, and scales that are no scale.
        for a in [0.0, -1.0, f64::INFINITY, f64::NAN, 1e-45, 1e40] {
            assert_eq!(Front::scaled(a), None, "{a}");
        }
        assert_eq!(Front::new(&[1.0, 0.0], &[0.0, 0.0]), Err(1));
    }

    #[test]
    fn the_front_is_the_rounded_standardised_input_within_a_hair() {
        // (x − mean) · a in f64, rounded half up and saturated, against the integer front: the
        // same wherever the real value is not within 1/64 of a half (the truncation of x · 2ᵗ
        // moves it by under 1/128, the offset and the multiplier by less still).
        let (scales, means) = (
            [0.05, 3.0, 127.0 / 2.5, 1e-3, 400.0],
            [1000.0, -0.25, 0.0, 2.0e4, 1.5],
        );
        let front = Front::new(&scales, &means).unwrap();
        let (mut same, mut total) = (0, 0);
        for i in 0..20_000 {
            let j = i % scales.len();
            let spread = 160.0 / scales[j];
            let x = (means[j] + spread * (((i * 7919) % 10_007) as f64 / 5003.5 - 1.0)) as f32;
            let real = (f64::from(x) - means[j]) * scales[j];
            let want = (real + 0.5).floor().clamp(-128.0, 127.0) as i8;
            let got = front.input(j, x);
            let near_half = ((real + 0.5) - (real + 0.5).round()).abs() < 1.0 / 64.0;
            assert!(
                got == want || (near_half && (i32::from(got) - i32::from(want)).abs() == 1),
                "feature {j}: {x} gives {got}, (x − mean) · a = {real}"
            );
            same += usize::from(got == want);
            total += 1;
        }
        assert!(same * 100 >= total * 99, "{same} of {total}");
        // Far beyond the clamp, the input saturates with the sign of the difference.
        assert_eq!(front.input(0, 1e9), 127);
        assert_eq!(front.input(0, -1e9), -128);
        assert_eq!(front.input(2, 0.0), 0);
    }

    #[test]
    fn requantisation_is_a_rounded_fixed_point_product() {
        let m = 1 << 22; // a quarter
        let r = requantize(&[0.25], 1.0, None);
        assert_eq!(r.multiplier, [m]);
        let limit = r.limit[0];
        assert_eq!(requantized(10, m, limit), 2); // 2.5 rounds down
        assert_eq!(requantized(11, m, limit), 3); // 2.75 to nearest
        assert_eq!(requantized(-10, m, limit), -3); // −2.5 rounds down
        assert_eq!(requantized(-9, m, limit), -2); // −2.25 to nearest
        assert_eq!(requantized(508, m, limit), 127);
        assert_eq!(requantized(i32::MAX, m, limit), 127);
        assert_eq!(requantized(i32::MIN + 1, m, limit), -128);
        // Sums beyond the limit saturate, also for the largest multiplier (64).
        let big = requantize(&[64.0], 1.0, None);
        assert_eq!(requantized(i32::MAX, big.multiplier[0], big.limit[0]), 127);
        assert_eq!(requantized(2, big.multiplier[0], big.limit[0]), 127);
        assert_eq!(requantized(1, big.multiplier[0], big.limit[0]), 64);
    }

    /// A network with every kind of layer on 2-D inputs, its float logits, and its int8 twin.
    fn float_and_int8() -> (Vec<Vec<f32>>, Vec<Vec<f32>>, Int8Model) {
        let scaling = Scaling {
            mean: vec![0.25, -0.5],
            scale: vec![0.5, 2.0],
        };
        let weight = |i: usize| ((i * 37 % 23) as f32 - 11.0) / 9.0;
        let arch = "[Tanh, 16, LeakyReLU, 8, 4, Sigmoid]";
        let (file, arch) = crate::model::test_file(arch, (2, 3), Some(scaling), weight);
        let model = Model::new(&file, arch).unwrap();
        let raw: Vec<f32> = (0..2 * 400)
            .map(|i| ((i * 7919 % 1000) as f32 / 250.0) - 2.0)
            .collect();
        let q = Int8Model::quantize(&model, &model.standardised(&raw)).unwrap();
        let float = raw
            .chunks(2)
            .map(|r| model.trace(0, &model.standardised(r)).pop().unwrap().0)
            .collect();
        let int8 = raw
            .chunks(2)
            .map(|r| {
                q.logits(&q.input(r))
                    .iter()
                    .map(|&z| z as f32 * q.logit_scale)
                    .collect()
            })
            .collect();
        (float, int8, q)
    }

    #[test]
    fn int8_logits_are_close_to_the_floats_and_mostly_agree() {
        // Every scale, table, bias and requantisation feeds these: a wrong one shows.
        let (float, int8, _) = float_and_int8();
        let largest = float.iter().flatten().fold(0.0f32, |m, v| m.max(v.abs()));
        let (mut agree, mut total, mut worst) = (0, 0.0f32, 0.0f32);
        for (f, q) in float.iter().zip(&int8) {
            for (a, b) in f.iter().zip(q) {
                total += (a - b).abs();
                worst = worst.max((a - b).abs());
            }
            let best = |v: &[f32]| (0..3).fold(0, |b, c| if v[c] > v[b] { c } else { b });
            agree += usize::from(best(f) == best(q));
        }
        // Measured: mean 0.0084, worst 0.065 of the largest logit (1.0); 395 of 400 agree.
        let mean = total / 1200.0;
        assert!(
            mean < 0.015 * largest,
            "mean error {mean} (largest {largest})"
        );
        assert!(
            worst < 0.1 * largest,
            "worst error {worst} (largest {largest})"
        );
        assert!(agree >= 390, "{agree} of 400 classes agree");
    }

    #[test]
    fn the_int8_model_has_its_tables_and_shapes() {
        let (_, _, q) = float_and_int8();
        assert!(q.lead.is_some());
        let layers = &q.members[0].layers;
        let shapes: Vec<_> = layers
            .iter()
            .map(|l| (l.fan_in, l.fan_out, l.weights.len()))
            .collect();
        assert_eq!(shapes, [(2, 16, 32), (16, 8, 128), (8, 4, 32), (4, 3, 12)]);
        let tables: Vec<bool> = layers
            .iter()
            .map(|l| l.requantize.as_ref().is_some_and(|r| r.table.is_some()))
            .collect();
        assert_eq!(tables, [true, false, true, false]);
        assert!(
            layers[3].requantize.is_none(),
            "the logits are not requantised"
        );
        // Every row's weights use the int8 range: its largest magnitude maps to 127.
        for l in &layers[..3] {
            for row in l.weights.chunks(l.fan_in) {
                assert_eq!(row.iter().map(|w| w.unsigned_abs()).max(), Some(127));
            }
        }
    }

    /// An ensemble of three: each member's weights are quantised as they would be alone, the
    /// activation tables are one for all, the `i64` logits are the members' `i32` logits
    /// weighed by `round(2²⁴ · sₘ / S)` and summed, the widest member's weight is 2²⁴, and the
    /// result is close to the mean of the float logits.
    #[test]
    fn an_ensembles_logits_weigh_each_members_by_its_scale() {
        let arch: piconas_core::Arch = "[8, Tanh, 4]".parse().unwrap();
        let weight = |m: usize, i: usize| ((i * 37 % 23) as f32 - 11.0) / (5.0 + 4.0 * m as f32);
        let (file, arch) = crate::model::synthetic(arch, (3, 4), None, 3, weight).unwrap();
        let model = Model::new(&file, arch).unwrap();
        let rows: Vec<f32> = (0..3 * 300)
            .map(|i| ((i * 7919 % 1000) as f32 / 250.0) - 2.0)
            .collect();
        let q = Int8Model::quantize(&model, &rows).unwrap();
        let top = q.members.iter().map(|m| m.logit_scale).fold(0.0, f64::max);
        let mut alone = Vec::new();
        for (m, member) in q.members.iter().enumerate() {
            let (one, arch) =
                crate::model::synthetic(arch, (3, 4), None, 1, |_, i| weight(m, i)).unwrap();
            let single = Int8Model::quantize(&Model::new(&one, arch).unwrap(), &rows).unwrap();
            for (alone, together) in single.members[0].layers.iter().zip(&member.layers) {
                assert_eq!(alone.weights, together.weights, "member {m}");
            }
            assert_eq!(single.members[0].weight, 1 << SHIFT, "an ensemble of one");
            let table = |q: &Int8Model, m: usize| {
                q.members[m].layers[0]
                    .requantize
                    .as_ref()
                    .and_then(|r| r.table.clone())
            };
            assert!(table(&q, m).is_some());
            assert_eq!(table(&q, m), table(&q, 0), "one table for all");
            let expected = (member.logit_scale / top * f64::from(1u32 << SHIFT)).round() as i32;
            assert_eq!(member.weight, expected);
            alone.push(single);
        }
        assert!(q.members.iter().any(|m| m.weight == 1 << SHIFT));
        let (mut error, mut largest) = (0.0f32, 0.0f32);
        for row in rows.chunks_exact(3) {
            let x = q.input(row);
            let sum: Vec<i64> = (0..4)
                .map(|c| {
                    (0..3)
                        .map(|m| {
                            i64::from(q.member_logits(m, &x)[c]) * i64::from(q.members[m].weight)
                        })
                        .sum()
                })
                .collect();
            assert_eq!(q.logits(&x), sum);
            let float: Vec<f32> = (0..4)
                .map(|c| {
                    (0..3)
                        .map(|m| model.trace(m, row).pop().unwrap().0[c])
                        .sum::<f32>()
                        / 3.0
                })
                .collect();
            for (f, z) in float.iter().zip(q.logits(&x)) {
                error = error.max((f - z as f32 * q.logit_scale).abs());
                largest = largest.max(f.abs());
            }
        }
        assert!(error < 0.1 * largest, "worst error {error} of {largest}");
    }

    #[test]
    fn the_class_is_the_largest_logit_and_the_lowest_on_a_tie() {
        assert_eq!(argmax(&[3, 9, -2]), 1);
        assert_eq!(argmax(&[-5, -7, -1]), 2);
        assert_eq!(argmax(&[4, 4, 1]), 0);
        assert_eq!(argmax(&[1, 4, 4]), 1);
        // predict is the arg-max of the logits, and this network gives every class somewhere.
        let (_, _, q) = float_and_int8();
        let mut seen = [false; 3];
        for i in 0..200 {
            let row = [(i % 20) as f32 / 5.0 - 2.0, (i / 20) as f32 / 2.5 - 2.0];
            let class = q.predict(&row);
            assert_eq!(class, argmax(&q.logits(&q.input(&row))));
            seen[usize::from(class)] = true;
        }
        assert_eq!(seen, [true; 3]);
    }

    #[test]
    fn calibration_needs_whole_rows() {
        let (file, arch) = crate::model::test_file("[4]", (2, 2), None, |i| i as f32);
        let model = Model::new(&file, arch).unwrap();
        for rows in [&[][..], &[1.0, 2.0, 3.0][..]] {
            let e = Int8Model::quantize(&model, rows).unwrap_err();
            assert!(e.to_string().contains("calibration rows"), "{e}");
        }
        assert!(Int8Model::quantize(&model, &[1.0, 2.0]).is_ok());
    }

    #[test]
    fn a_zero_or_unbounded_tensor_gets_scale_one() {
        assert_eq!(scale_for(127.0), 1.0);
        assert_eq!(scale_for(2.54), 0.02);
        for degenerate in [0.0, f64::INFINITY, f64::NAN] {
            assert_eq!(scale_for(degenerate), 1.0, "{degenerate}");
        }
    }

    #[test]
    fn every_limit_keeps_the_product_in_i32_and_saturates_exactly_beyond_it() {
        // 63.75 gives m = 2³⁰ − 2²², where a limit one too large overflows; 1.0 gives 2²⁴,
        // where one too small saturates a sum that rounds to 127.
        for ratio in [63.75, 64.0, 33.3, 1.0, 0.25, 1e-3, 1e-7] {
            let r = requantize(&[ratio], 1.0, None);
            let (m, limit) = (r.multiplier[0], r.limit[0]);
            let wide = |sum: i32| i64::from(sum) * i64::from(m) + (1 << 23) - 1;
            assert!(wide(limit) <= i64::from(i32::MAX), "{ratio}: {limit} · {m}");
            // The ideal value, in i64, at both limits and just past them.
            for sum in [limit, limit + 1, -limit, -limit - 1] {
                let ideal = (wide(sum) >> 24).clamp(-128, 127) as i8;
                assert_eq!(requantized(sum, m, limit), ideal, "{ratio}: {sum} · {m}");
            }
        }
    }

    #[test]
    fn tables_span_their_outputs() {
        // Inputs −3 … 2.98: −128 maps to the largest magnitude, −127.
        let (t, s) = table(&[Activation::Tanh], 3.0 / 128.0);
        assert_eq!((t[0], t[128], t[255]), (-127, 0, 127));
        assert!((s - f64::from(3.0f32.tanh()) / 127.0).abs() < 1e-6, "{s}");
        let (relu, _) = table(&[Activation::Relu], 1.0);
        assert!(relu[..128].iter().all(|&v| v == 0) && relu[255] == 127);
    }
}
