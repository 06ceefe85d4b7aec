//! Labelled rows and the train/dev/test split. Storage is always the caller's.
//!
//! A data set is [`Rows`]: `n` rows of `d` features, row-major in one `&[f32]`, and one class
//! index per row in a `&[u8]` (a static array on a chip, `Vec`s from a CSV on a host). Checked
//! once where it enters ([`Rows::new`]), it is then cut, without copying, into the three parts
//! of a [`Split`].

use core::fmt;

use crate::arch::Shape;
use crate::config::{DEV_PERCENT, MAX_SAMPLES, MIN_SAMPLES, TRAIN_PERCENT};

/// Why a data set was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataError {
    /// Fewer than [`MIN_SAMPLES`] samples.
    TooFew {
        /// Samples given.
        got: usize,
    },
    /// More than [`MAX_SAMPLES`] samples.
    TooMany {
        /// Samples given.
        got: usize,
    },
    /// The features are not `rows × d` numbers.
    Ragged {
        /// Features given.
        features: usize,
        /// Labels given (one per row).
        rows: usize,
        /// Features per row (`d`).
        inputs: usize,
    },
    /// A label that is not a class index (`0..k`).
    BadLabel {
        /// Index of the sample.
        index: usize,
        /// The label.
        label: u8,
        /// Classes (`k`).
        classes: usize,
    },
    /// A NaN or infinite feature.
    NonFinite {
        /// Index of the sample.
        index: usize,
    },
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TooFew { got } => write!(
                f,
                "{got} samples, but at least {MIN_SAMPLES} are needed (so that train, dev and test are all non-empty)"
            ),
            Self::TooMany { got } => {
                write!(f, "{got} samples, but at most {MAX_SAMPLES} are supported")
            }
            Self::Ragged {
                features,
                rows,
                inputs,
            } => write!(
                f,
                "{features} feature values for {rows} rows of {inputs} features"
            ),
            Self::BadLabel {
                index,
                label,
                classes,
            } => write!(
                f,
                "sample {index} has label {label}, but the classes are 0 to {}",
                classes.saturating_sub(1)
            ),
            Self::NonFinite { index } => write!(f, "sample {index} has a NaN or infinite feature"),
        }
    }
}

impl core::error::Error for DataError {}

/// Checked rows: `len()` rows of `shape.inputs()` finite features, each with a class below
/// `shape.classes()`. `Copy`: a view of the caller's storage.
#[derive(Clone, Copy, Debug)]
pub struct Rows<'a> {
    features: &'a [f32],
    labels: &'a [u8],
    shape: Shape,
}

impl<'a> Rows<'a> {
    /// The rows of `features` (row-major, `labels.len() × shape.inputs()` values) and
    /// `labels`, checked: the sizes agree, every feature is finite, every label a class.
    /// Never panics.
    pub fn new(features: &'a [f32], labels: &'a [u8], shape: Shape) -> Result<Self, DataError> {
        let d = shape.inputs();
        if Some(features.len()) != labels.len().checked_mul(d) {
            return Err(DataError::Ragged {
                features: features.len(),
                rows: labels.len(),
                inputs: d,
            });
        }
        for (index, (x, &label)) in features.chunks_exact(d).zip(labels).enumerate() {
            if !x.iter().all(|v| v.is_finite()) {
                return Err(DataError::NonFinite { index });
            }
            if usize::from(label) >= shape.classes() {
                return Err(DataError::BadLabel {
                    index,
                    label,
                    classes: shape.classes(),
                });
            }
        }
        Ok(Rows {
            features,
            labels,
            shape,
        })
    }

    /// No rows, of `shape`.
    pub const fn empty(shape: Shape) -> Self {
        Rows {
            features: &[],
            labels: &[],
            shape,
        }
    }

    /// Rows.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Features per row and classes.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Row `i`'s features (empty past the end).
    #[inline(always)]
    pub fn x(&self, i: usize) -> &'a [f32] {
        let d = self.shape.inputs();
        self.features.get(i * d..(i + 1) * d).unwrap_or(&[])
    }

    /// Row `i`'s class (0 past the end).
    #[inline(always)]
    pub fn label(&self, i: usize) -> u8 {
        self.labels.get(i).copied().unwrap_or(0)
    }

    /// Every row's features, row-major.
    pub fn features(&self) -> &'a [f32] {
        self.features
    }

    /// Every row's class.
    pub fn labels(&self) -> &'a [u8] {
        self.labels
    }

    /// Rows `range` (clamped to the rows there are): still checked, so no copy, no check.
    pub fn slice(&self, range: core::ops::Range<usize>) -> Self {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        let d = self.shape.inputs();
        Rows {
            features: &self.features[start * d..end * d],
            labels: &self.labels[start..end],
            shape: self.shape,
        }
    }
}

/// A data set cut in order into train (70 %), dev (10 %) and test (the rest).
#[derive(Clone, Copy, Debug)]
pub struct Split<'a> {
    /// Trains each child.
    pub train: Rows<'a>,
    /// Scores each child: its accuracy here is the reward.
    pub dev: Rows<'a>,
    /// Touched only by `finish`, to report the winner's accuracy.
    pub test: Rows<'a>,
    /// Train and dev together, in this order: what cross-validation folds cut
    /// ([`Split::fold`]).
    pub learn: Rows<'a>,
}

/// What one training of a child sees: the rows it learns from, and the rows whose accuracy
/// picks its best epoch and is its score (none: the last epoch is kept).
#[derive(Clone, Copy, Debug)]
pub struct Fold<'a> {
    rows: Rows<'a>,
    /// `rows[skip.0..skip.1]` are left out of the learning rows (a held-out fold).
    skip: (usize, usize),
    /// Picks the best epoch; its accuracy there is the outcome's reward.
    pub dev: Rows<'a>,
}

impl<'a> Fold<'a> {
    /// Rows to learn from.
    pub fn len(&self) -> usize {
        self.rows.len() - (self.skip.1 - self.skip.0)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The storage the learning rows live in (a held-out block included: see [`Fold::index`]).
    pub fn rows(&self) -> &Rows<'a> {
        &self.rows
    }

    /// Where learning row `i` (of [`Fold::len`]) lives in [`Fold::rows`].
    #[inline(always)]
    pub fn index(&self, i: usize) -> usize {
        if i >= self.skip.0 {
            i + (self.skip.1 - self.skip.0)
        } else {
            i
        }
    }
}

/// What identifies a data set and its split, bit for bit: a 64-bit FNV-1a hash of the shape,
/// the three parts' sizes and every sample's features' bits and label. A checkpoint carries
/// it, so that a search is never continued on other data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub u64);

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl Fingerprint {
    /// The fingerprint of nothing, where every fingerprint starts (FNV-1a's offset basis).
    pub const START: Fingerprint = Fingerprint(0xcbf2_9ce4_8422_2325);

    /// This fingerprint with `bytes` taken in after what it already covers: FNV-1a, 64-bit,
    /// simple, no table, and enough to tell data sets apart (it guards against mistakes, not
    /// adversaries).
    #[must_use]
    pub fn and(self, bytes: &[u8]) -> Fingerprint {
        let mut h = self.0;
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Fingerprint(h)
    }
}

impl<'a> Split<'a> {
    /// The data's [`Fingerprint`]: the same samples split the same way give the same one.
    pub fn fingerprint(&self) -> Fingerprint {
        let shape = self.shape();
        let mut h = Fingerprint::START.and(&[shape.inputs() as u8, shape.classes() as u8]);
        for part in [self.train, self.dev, self.test] {
            h = h.and(&(part.len() as u64).to_le_bytes());
            for i in 0..part.len() {
                for v in part.x(i) {
                    h = h.and(&v.to_bits().to_le_bytes());
                }
                h = h.and(&[part.label(i)]);
            }
        }
        h
    }

    /// The data's shape (the same for all three parts).
    pub fn shape(&self) -> Shape {
        self.train.shape()
    }

    /// How many of `n` rows, from the front, train and how many then are dev (the rest
    /// test): `⌊n · TRAIN_PERCENT / 100⌋` and `⌊n · DEV_PERCENT / 100⌋`, without overflow
    /// for any `n`. The one place the split's boundaries are computed (the host's stratified
    /// order and `split.csv` deal by it too).
    pub const fn sizes(n: usize) -> (usize, usize) {
        let (hundreds, rest) = (n / 100, n % 100);
        (
            hundreds * TRAIN_PERCENT + rest * TRAIN_PERCENT / 100,
            hundreds * DEV_PERCENT + rest * DEV_PERCENT / 100,
        )
    }

    /// Checks the count of `rows` and splits them in order. Never panics.
    pub fn new(rows: Rows<'a>) -> Result<Split<'a>, DataError> {
        let n = rows.len();
        if n < MIN_SAMPLES {
            return Err(DataError::TooFew { got: n });
        }
        if n > MAX_SAMPLES {
            return Err(DataError::TooMany { got: n });
        }
        let (n_train, n_dev) = Split::sizes(n);
        Ok(Split {
            train: rows.slice(0..n_train),
            dev: rows.slice(n_train..n_train + n_dev),
            test: rows.slice(n_train + n_dev..n),
            learn: rows.slice(0..n_train + n_dev),
        })
    }

    /// Learn on train, pick the best epoch on dev: how each rollout's child is trained.
    pub fn holdout(&self) -> Fold<'a> {
        Fold {
            rows: self.train,
            skip: (0, 0),
            dev: self.dev,
        }
    }

    /// Learn on the first `rows` rows of train (a rung, [`crate::rungs`]), pick the best
    /// epoch on the first `dev` rows of dev.
    pub fn rung(&self, rows: usize, dev: usize) -> Fold<'a> {
        Fold {
            rows: self.train.slice(0..rows.min(self.train.len())),
            skip: (0, 0),
            dev: self.dev.slice(0..dev.min(self.dev.len())),
        }
    }

    /// Fold `i` of `k` of cross-validation over train ∪ dev ([`Split::learn`]): its `i`-th
    /// contiguous block of `⌊m/k⌋` or `⌈m/k⌉` rows held out to pick the best epoch, the rest
    /// learnt from. `k` is at least 1 and `i` below it (clamped); with `k = 1` nothing is held
    /// out.
    pub fn fold(&self, i: u32, k: u32) -> Fold<'a> {
        let m = self.learn.len();
        let k = k.max(1) as usize;
        let i = (i as usize).min(k - 1);
        let (start, end) = if k == 1 {
            (m, m)
        } else {
            (i * m / k, (i + 1) * m / k)
        };
        Fold {
            rows: self.learn,
            skip: (start, end),
            dev: self.learn.slice(start..end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_70_10_20_in_order() {
        let (x, y) = ([0.0f32; 2000], [0u8; 1000]);
        let rows = Rows::new(&x, &y, Shape::MOONS).unwrap();
        let s = Split::new(rows).unwrap();
        assert_eq!((s.train.len(), s.dev.len(), s.test.len()), (700, 100, 200));
        let s = Split::new(rows.slice(0..MIN_SAMPLES)).unwrap();
        assert_eq!((s.train.len(), s.dev.len(), s.test.len()), (14, 2, 4));
        // The sizes for any count, as 70 % and 10 % rounded down in exact arithmetic.
        for n in [0, 1, 19, 99, 101, 1234, 999_999, usize::MAX - 1, usize::MAX] {
            let exact = |p: u128| (n as u128 * p / 100) as usize;
            assert_eq!(Split::sizes(n), (exact(70), exact(10)), "{n}");
        }
        let numbered: Vec<f32> = (0..2000).map(|i| i as f32).collect();
        let s = Split::new(Rows::new(&numbered, &y, Shape::MOONS).unwrap()).unwrap();
        assert_eq!(s.dev.x(0), &[1400.0, 1401.0]);
        assert_eq!(s.test.x(199), &[1998.0, 1999.0]);
        assert_eq!(s.test.x(200), &[] as &[f32], "past the end");
    }

    #[test]
    fn folds_cover_train_and_dev_once_each() {
        let x: Vec<f32> = (0..200).map(|i| i as f32).collect();
        let y = [0u8; 100];
        let s = Split::new(Rows::new(&x, &y, Shape::MOONS).unwrap()).unwrap();
        assert_eq!(s.learn.len(), 80);
        let holdout = s.holdout();
        assert_eq!((holdout.len(), holdout.dev.len()), (70, 10));
        assert_eq!(holdout.index(69), 69);
        let mut held = Vec::new();
        for i in 0..3 {
            let f = s.fold(i, 3);
            assert_eq!(f.len() + f.dev.len(), 80, "fold {i}");
            // The learning rows are exactly the others, in order.
            let learnt: Vec<usize> = (0..f.len()).map(|j| f.index(j)).collect();
            let first = f.dev.x(0)[0] as usize / 2;
            let dev: Vec<usize> = (first..first + f.dev.len()).collect();
            assert!(
                learnt.iter().all(|j| !dev.contains(j)) && learnt.windows(2).all(|w| w[0] < w[1])
            );
            held.extend(dev);
        }
        assert_eq!(held, (0..80).collect::<Vec<_>>(), "each row held out once");
        let all = s.fold(0, 1);
        assert_eq!(
            (all.len(), all.dev.len()),
            (80, 0),
            "one fold holds nothing out"
        );
        assert_eq!(s.fold(7, 3).dev.x(0), s.fold(2, 3).dev.x(0), "clamped");
    }

    #[test]
    fn refuses_bad_sets_with_the_reason() {
        let shape = Shape::new(3, 4).unwrap();
        let (mut x, mut y) = ([0.0f32; 90], [0u8; 30]);
        assert_eq!(
            Split::new(Rows::new(&x[..57], &y[..19], shape).unwrap()).unwrap_err(),
            DataError::TooFew { got: 19 }
        );
        assert_eq!(
            Rows::new(&x[..89], &y, shape).unwrap_err(),
            DataError::Ragged {
                features: 89,
                rows: 30,
                inputs: 3
            }
        );
        y[3] = 4;
        let e = Rows::new(&x, &y, shape).unwrap_err();
        assert_eq!(
            e,
            DataError::BadLabel {
                index: 3,
                label: 4,
                classes: 4
            }
        );
        assert_eq!(
            e.to_string(),
            "sample 3 has label 4, but the classes are 0 to 3"
        );
        y[3] = 3;
        x[5 * 3 + 2] = f32::INFINITY;
        assert_eq!(
            Rows::new(&x, &y, shape).unwrap_err(),
            DataError::NonFinite { index: 5 }
        );
    }

    #[test]
    fn the_fingerprint_sees_every_value_label_and_the_shape() {
        let x: Vec<f32> = (0..120).map(|i| i as f32 * 0.5).collect();
        let y: Vec<u8> = (0..40).map(|i| (i % 3) as u8).collect();
        let print = |x: &[f32], y: &[u8], d: usize| {
            let shape = Shape::new(d, 3).unwrap();
            Split::new(Rows::new(x, y, shape).unwrap())
                .unwrap()
                .fingerprint()
        };
        let base = print(&x, &y, 3);
        let mut x2 = x.clone();
        x2[119] = -0.0;
        assert_ne!(print(&x2, &y, 3), base);
        let mut y2 = y.clone();
        y2[0] = 2;
        assert_ne!(print(&x, &y2, 3), base);
        // The same numbers read as 60 rows of 2 features are other data.
        let y60: Vec<u8> = (0..60).map(|i| (i % 3) as u8).collect();
        assert_ne!(print(&x, &y60, 2), base);
        assert_eq!(print(&x, &y, 3), base);
        // FNV-1a, 64-bit: its published value for "a", and bytes taken in one after another.
        assert_eq!(
            Fingerprint::START.and(b"a"),
            Fingerprint(0xaf63_dc4c_8601_ec8c)
        );
        assert_eq!(
            Fingerprint::START.and(b"ab"),
            Fingerprint::START.and(b"a").and(b"b")
        );
        assert_eq!(Fingerprint(0xab).to_string(), "00000000000000ab");
    }
}
