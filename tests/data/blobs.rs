//! Writes a large data set whose Bayes rate is known: `ROWS` rows of 16 features (or
//! `FEATURES`, an even number from 4 to 64) and 4 classes, each class a mixture of two Gaussian
//! blobs (σ = 1) whose centres lie in the first four features; the others are noise. The classes overlap, and no single straight
//! boundary separates them (each class's two blobs lie apart), so a hidden layer pays.
//!
//!     cargo run --release --example blobs -- 100000 > /tmp/blobs-100k.csv
//!     cargo run --release --example blobs -- 1000000 0 64 > /tmp/blobs-1m-64.csv
//!
//! The rows are drawn in order from `piconas_core::rng`'s data stream (seed 0; a second
//! argument changes it), so a file is the same on every machine. On standard error it prints
//! the accuracy of the Bayes-optimal classifier (the class of the larger mixture density, from
//! the true centres) on the rows written, over all of them and over the last 20 % (the test
//! split of a 70/10/20 split in order, which `--split-seed` shuffles first).

use piconas_core::rng::{self, Stream};
use std::io::Write as _;

const CLASSES: usize = 4;
/// Blobs a class, and the features their centres differ in.
const BLOBS: usize = 2;
const INFORMATIVE: usize = 4;

/// The centres: uniform in [−2.5, 2.5]⁴, drawn first from the stream.
fn centres(rng: &mut rng::Generator) -> [[[f32; INFORMATIVE]; BLOBS]; CLASSES] {
    let mut c = [[[0.0; INFORMATIVE]; BLOBS]; CLASSES];
    for class in &mut c {
        for blob in class.iter_mut() {
            for v in blob.iter_mut() {
                *v = rng::symmetric(rng, 2.5);
            }
        }
    }
    c
}

/// The Bayes-optimal class of `x`: the largest mixture density (equal priors and weights,
/// the same σ, so the noise features and the constants cancel).
fn bayes(c: &[[[f32; INFORMATIVE]; BLOBS]; CLASSES], x: &[f32]) -> usize {
    let density = |class: &[[f32; INFORMATIVE]; BLOBS]| -> f64 {
        class
            .iter()
            .map(|m| {
                let d2: f64 = m
                    .iter()
                    .zip(x)
                    .map(|(&a, &b)| f64::from(a - b).powi(2))
                    .sum();
                (-0.5 * d2).exp()
            })
            .sum()
    };
    (0..CLASSES)
        .max_by(|&a, &b| density(&c[a]).total_cmp(&density(&c[b])).then(b.cmp(&a)))
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(rows), seed, Some(features)) = (
        args.first().and_then(|a| a.parse::<usize>().ok()),
        args.get(1).and_then(|a| a.parse::<u64>().ok()).unwrap_or(0),
        args.get(2).map_or(Some(16), |a| {
            a.parse::<usize>()
                .ok()
                .filter(|f| f % 2 == 0 && (INFORMATIVE..=64).contains(f))
        }),
    ) else {
        eprintln!("usage: blobs ROWS [SEED] [FEATURES: even, 4 to 64] (writes CSV to stdout)");
        std::process::exit(2);
    };
    let mut rng = rng::stream(seed, Stream::Data, 0x626c_6f62); // "blob"
    let c = centres(&mut rng);
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let names: Vec<String> = (0..features).map(|j| format!("x{j}")).collect();
    writeln!(out, "{},class", names.join(",")).unwrap();
    let test_from = rows - rows / 5;
    let (mut right, mut right_test) = (0usize, 0usize);
    let mut x = vec![0.0f32; features];
    let mut line = String::new();
    for i in 0..rows {
        let class = rng::below(&mut rng, CLASSES as u32) as usize;
        let blob = rng::below(&mut rng, BLOBS as u32) as usize;
        for j in (0..features).step_by(2) {
            let (a, b) = rng::gaussian_pair(&mut rng);
            x[j] = a;
            x[j + 1] = b;
        }
        for (v, m) in x.iter_mut().zip(c[class][blob]) {
            *v += m;
        }
        let hit = usize::from(bayes(&c, &x) == class);
        right += hit;
        if i >= test_from {
            right_test += hit;
        }
        line.clear();
        for v in &x {
            line.push_str(&format!("{v:.4},"));
        }
        writeln!(out, "{line}{class}").unwrap();
    }
    out.flush().unwrap();
    eprintln!(
        "Bayes-optimal accuracy: {:.4} on all {rows} rows, {:.4} on the last {}",
        right as f64 / rows as f64,
        right_test as f64 / (rows - test_from).max(1) as f64,
        rows - test_from
    );
}
