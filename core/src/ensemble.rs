//! An ensemble: trained networks of one architecture (the winner's cross-validation fold
//! models) that classify together by the mean of their logits.
//!
//! For each row, every member's logits are added in member order to zeros and the sum divided
//! by the member count (in `f32`); the class is the largest mean logit (the lowest class on a
//! tie) and the probabilities are the softmax of the mean logits, by the same formulas a
//! single [`Network`] uses. The mean of logits rather than of probabilities: it costs one
//! softmax, not one per member, and an integer-only target can form it from each member's
//! `i32` logits exactly (see the int8 export). An ensemble of one is its member, bit for bit.
//!
//! Members are passed as a slice, so the caller decides where they live; a batch of rows
//! is loaded once and run through each member in turn (the forward pass leaves its input).
//! A caller that cannot hold every member at once (a firmware whose members are constants in
//! flash) adds one member's logits at a time into its own buffer of `k` sums per row
//! ([`add_logits`]), then reads the classes or probabilities off the sums
//! ([`classes_of_sums`], [`probabilities_of_sums`]): the same bits.

use crate::arch::MAX_CLASSES;
use crate::config::MAX_BATCH;
use crate::mlp::{self, Lanes, Workspace};
use crate::network::{Network, softmax};
use crate::sample::Rows;

/// Runs the first `n` rows of `x` through every member, batch by batch, calling
/// `f(mean logits, first row, rows in the batch)`. Nothing happens for no members or members
/// of different shapes.
fn each_batch(
    members: &[Network],
    ws: &mut Workspace,
    x: &[f32],
    n: usize,
    mut f: impl FnMut(&[Lanes], usize, usize),
) {
    let Some(first) = members.first() else {
        return;
    };
    let shape = first.shape();
    if members.iter().any(|m| m.shape() != shape) {
        return;
    }
    let (d, k) = (shape.inputs(), shape.classes());
    let n = n.min(x.len() / d);
    let count = members.len() as f32;
    for start in (0..n).step_by(MAX_BATCH) {
        let lanes = (n - start).min(MAX_BATCH);
        let rows = x[start * d..(start + lanes) * d].chunks_exact(d);
        ws.load(d, rows.map(|r| (r, 0)));
        let mut mean = [[0.0f32; MAX_BATCH]; MAX_CLASSES];
        for member in members {
            let (layout, params) = member.parts();
            layout.forward(params, ws);
            for (sum, z) in mean.iter_mut().zip(ws.logits(layout)) {
                for (a, &v) in sum.iter_mut().zip(z) {
                    *a += v;
                }
            }
        }
        for row in mean.iter_mut().take(k) {
            row.iter_mut().for_each(|a| *a /= count);
        }
        f(&mean[..k], start, lanes);
    }
}

/// Writes the ensemble's class for each row of `x` (row-major) into `out` (rows beyond the
/// shorter of the two are left; nothing for no members or members of different shapes).
pub fn classify(members: &[Network], ws: &mut Workspace, x: &[f32], out: &mut [u8]) {
    each_batch(members, ws, x, out.len(), |logits, start, lanes| {
        for s in 0..lanes {
            out[start + s] = mlp::predicted(logits, s);
        }
    });
}

/// Writes each row's class probabilities (the softmax of the mean logits), `k` per row.
pub fn probabilities(members: &[Network], ws: &mut Workspace, x: &[f32], out: &mut [f32]) {
    let Some(k) = members.first().map(|m| m.shape().classes()) else {
        return;
    };
    each_batch(members, ws, x, out.len() / k, |logits, start, lanes| {
        for s in 0..lanes {
            softmax(logits, s, &mut out[(start + s) * k..(start + s + 1) * k]);
        }
    });
}

/// Adds `member`'s logits for each row of `x` (row-major, its `d` features a row) to `sums`
/// (`k` per row, in class order), as many rows as both hold. Start from zeros, add the members
/// in order, then read [`classes_of_sums`] or [`probabilities_of_sums`].
pub fn add_logits(member: &Network, ws: &mut Workspace, x: &[f32], sums: &mut [f32]) {
    let (d, k) = (member.shape().inputs(), member.shape().classes());
    let (layout, params) = member.parts();
    let n = (x.len() / d).min(sums.len() / k);
    for start in (0..n).step_by(MAX_BATCH) {
        let lanes = (n - start).min(MAX_BATCH);
        let rows = x[start * d..(start + lanes) * d].chunks_exact(d);
        ws.load(d, rows.map(|r| (r, 0)));
        layout.forward(params, ws);
        for (c, z) in ws.logits(layout).iter().enumerate() {
            for (s, &v) in z.iter().take(lanes).enumerate() {
                sums[(start + s) * k + c] += v;
            }
        }
    }
}

/// Each row's mean logits from `sums` (`k` per row, [`add_logits`] of `members` members),
/// a batch of lanes at a time, for `f(mean logits, first row, rows)`.
fn each_mean(sums: &[f32], members: usize, k: usize, mut f: impl FnMut(&[Lanes], usize, usize)) {
    let k = k.clamp(1, MAX_CLASSES);
    let n = sums.len() / k;
    let count = members.max(1) as f32;
    for start in (0..n).step_by(MAX_BATCH) {
        let lanes = (n - start).min(MAX_BATCH);
        let mut mean = [[0.0f32; MAX_BATCH]; MAX_CLASSES];
        for s in 0..lanes {
            for (c, row) in mean.iter_mut().take(k).enumerate() {
                row[s] = sums[(start + s) * k + c] / count;
            }
        }
        f(&mean[..k], start, lanes);
    }
}

/// The class of each row from its summed logits (see [`add_logits`]), into `out`.
pub fn classes_of_sums(sums: &[f32], members: usize, k: usize, out: &mut [u8]) {
    each_mean(sums, members, k, |logits, start, lanes| {
        for (s, o) in out.iter_mut().skip(start).take(lanes).enumerate() {
            *o = mlp::predicted(logits, s);
        }
    });
}

/// Each row's class probabilities from its summed logits (see [`add_logits`]), `k` per row.
pub fn probabilities_of_sums(sums: &[f32], members: usize, k: usize, out: &mut [f32]) {
    each_mean(sums, members, k, |logits, start, lanes| {
        for s in 0..lanes {
            if let Some(p) = out.get_mut((start + s) * k..(start + s + 1) * k) {
                softmax(logits, s, p);
            }
        }
    });
}

/// The share of `rows` the ensemble classifies right (0 for no rows, no members, or rows of
/// another shape).
pub fn accuracy(members: &[Network], ws: &mut Workspace, rows: &Rows<'_>) -> f32 {
    if rows.is_empty() || members.first().is_none_or(|m| m.shape() != rows.shape()) {
        return 0.0;
    }
    let labels = rows.labels();
    let mut right = 0usize;
    each_batch(
        members,
        ws,
        rows.features(),
        rows.len(),
        |logits, start, lanes| {
            for s in 0..lanes {
                right += usize::from(mlp::predicted(logits, s) == labels[start + s]);
            }
        },
    );
    right as f32 / rows.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::{Arch, Shape};
    use crate::mlp::{Layout, MAX_PARAMS};
    use crate::rng::{self, Stream, stream};

    fn member(arch: &Arch, shape: Shape, seed: u64) -> Network {
        let layout = Layout::new(arch, shape);
        let mut params = [0.0; MAX_PARAMS];
        layout.init(&mut params, &mut stream(seed, Stream::Child, 0));
        Network::new(*arch, shape, &params[..layout.param_count()]).unwrap()
    }

    fn rows(shape: Shape, n: usize) -> (Vec<f32>, Vec<u8>) {
        let mut rng = stream(7, Stream::Data, 0);
        let x = (0..n * shape.inputs())
            .map(|_| rng::gaussian_pair(&mut rng).0)
            .collect();
        let y = (0..n).map(|i| (i % shape.classes()) as u8).collect();
        (x, y)
    }

    #[test]
    fn an_ensemble_of_one_is_its_member_bit_for_bit() {
        for (d, k) in [(2, 2), (5, 3)] {
            let shape = Shape::new(d, k).unwrap();
            let net = member(&"[8, Tanh, 4]".parse().unwrap(), shape, 1);
            let (x, y) = rows(shape, 70);
            let mut ws = Workspace::new();
            let (mut a, mut b) = (vec![0.0; 70 * k], vec![0.0; 70 * k]);
            net.probabilities(&mut ws, &x, &mut a);
            probabilities(core::slice::from_ref(&net), &mut ws, &x, &mut b);
            assert_eq!(
                a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                b.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
            let (mut c1, mut c2) = (vec![0; 70], vec![0; 70]);
            net.classify(&mut ws, &x, &mut c1);
            classify(core::slice::from_ref(&net), &mut ws, &x, &mut c2);
            assert_eq!(c1, c2);
            let rows = Rows::new(&x, &y, shape).unwrap();
            assert_eq!(
                accuracy(core::slice::from_ref(&net), &mut ws, &rows),
                net.accuracy(&mut ws, &rows)
            );
        }
    }

    /// The rule by hand: the members' logits, read off each member alone (its probabilities'
    /// log-ratios are not exact, so the logits come from the workspace), added in order and
    /// divided by the count, give the ensemble's classes and probabilities.
    #[test]
    fn the_ensemble_classifies_by_the_mean_of_its_members_logits() {
        let shape = Shape::new(3, 4).unwrap();
        let arch: Arch = "[Tanh, 8, ReLU]".parse().unwrap();
        let members: Vec<Network> = (0..3).map(|s| member(&arch, shape, s)).collect();
        let (x, y) = rows(shape, 40);
        let mut ws = Workspace::new();
        let mut mean = vec![[0.0f32; 4]; 40];
        for m in &members {
            let (layout, params) = m.parts();
            for (i, row) in x.chunks_exact(3).enumerate() {
                ws.load(3, [(row, 0u8)]);
                layout.forward(params, &mut ws);
                for (c, z) in ws.logits(layout).iter().enumerate() {
                    mean[i][c] += z[0];
                }
            }
        }
        let mut classes = vec![0u8; 40];
        let mut p = vec![0.0f32; 40 * 4];
        classify(&members, &mut ws, &x, &mut classes);
        probabilities(&members, &mut ws, &x, &mut p);
        let mut right = 0;
        for i in 0..40 {
            let z: Vec<f32> = mean[i].iter().map(|v| v / 3.0).collect();
            let best = (0..4).fold(0, |b, c| if z[c] > z[b] { c } else { b });
            assert_eq!(classes[i] as usize, best, "row {i}");
            right += usize::from(best == y[i] as usize);
            let top = z.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
            let e: Vec<f32> = z
                .iter()
                .map(|v| crate::math::exp_nonpositive(v - top))
                .collect();
            let total: f32 = e.iter().sum();
            for c in 0..4 {
                assert_eq!(
                    p[i * 4 + c].to_bits(),
                    (e[c] / total).to_bits(),
                    "row {i} class {c}"
                );
            }
        }
        let rows = Rows::new(&x, &y, shape).unwrap();
        assert_eq!(accuracy(&members, &mut ws, &rows), right as f32 / 40.0);
        // One member at a time into the caller's sums: the same bits.
        let mut sums = vec![0.0f32; 40 * 4];
        for m in &members {
            add_logits(m, &mut ws, &x, &mut sums);
        }
        let mut streamed = vec![0u8; 40];
        classes_of_sums(&sums, 3, 4, &mut streamed);
        assert_eq!(streamed, classes);
        let mut q = vec![0.0f32; 40 * 4];
        probabilities_of_sums(&sums, 3, 4, &mut q);
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&q), bits(&p));
        // No members, or members of two shapes: nothing is written.
        let mut untouched = vec![9u8; 40];
        classify(&[], &mut ws, &x, &mut untouched);
        let other = member(&arch, Shape::new(3, 2).unwrap(), 9);
        classify(&[members[0].clone(), other], &mut ws, &x, &mut untouched);
        assert!(untouched.iter().all(|&c| c == 9));
        assert_eq!(accuracy(&[], &mut ws, &rows), 0.0);
    }

    /// `add_logits` goes as far as both the rows and the sums go: more rows than sums leave the
    /// extra rows out, more sums than rows leave the extra sums as they were.
    #[test]
    fn add_logits_adds_as_many_rows_as_both_hold() {
        let shape = Shape::new(3, 4).unwrap();
        let net = member(&"[8, Tanh]".parse().unwrap(), shape, 2);
        let (x, _) = rows(shape, 40);
        let mut ws = Workspace::new();
        let mut all = vec![0.0f32; 40 * 4];
        add_logits(&net, &mut ws, &x, &mut all);
        let mut fewer_sums = vec![0.0f32; 25 * 4];
        add_logits(&net, &mut ws, &x, &mut fewer_sums);
        assert_eq!(fewer_sums[..], all[..25 * 4]);
        let mut more_sums = vec![0.5f32; 50 * 4];
        add_logits(&net, &mut ws, &x[..30 * 3], &mut more_sums);
        for (i, (got, full)) in more_sums.iter().zip(&all).enumerate().take(30 * 4) {
            assert_eq!(got.to_bits(), (full + 0.5).to_bits(), "sum {i}");
        }
        assert!(more_sums[30 * 4..].iter().all(|&v| v == 0.5));
    }

    /// Classes and probabilities go as far as both the rows and the output go, and the
    /// accuracy of no rows, or of rows of another shape, is 0.
    #[test]
    fn outputs_cover_as_many_rows_as_both_hold_and_odd_rows_score_zero() {
        let shape = Shape::new(3, 4).unwrap();
        let members = [member(&"[8, Tanh]".parse().unwrap(), shape, 3)];
        let (x, y) = rows(shape, 40);
        let mut ws = Workspace::new();
        let mut all = vec![0u8; 40];
        classify(&members, &mut ws, &x, &mut all);
        let mut longer = vec![9u8; 50];
        classify(&members, &mut ws, &x, &mut longer);
        assert_eq!(longer[..40], all[..]);
        assert!(longer[40..].iter().all(|&c| c == 9));
        let mut p = vec![0.0f32; 40 * 4];
        probabilities(&members, &mut ws, &x, &mut p);
        let mut fewer = vec![0.0f32; 25 * 4];
        probabilities(&members, &mut ws, &x, &mut fewer);
        assert_eq!(fewer[..], p[..25 * 4]);
        let empty = Rows::new(&[], &[], shape).unwrap();
        assert_eq!(accuracy(&members, &mut ws, &empty), 0.0);
        let other = Shape::new(4, 3).unwrap();
        let (x4, y4) = (&x[..30 * 4], &y[..30]);
        let y4: Vec<u8> = y4.iter().map(|c| c % 3).collect();
        let odd = Rows::new(x4, &y4, other).unwrap();
        assert_eq!(accuracy(&members, &mut ws, &odd), 0.0);
    }
}
