//! Labelled points and the train/dev/test split. Storage is always the caller's.

use core::fmt;

use crate::config::{DEV_PERCENT, MAX_SAMPLES, MIN_SAMPLES, TRAIN_PERCENT};

/// One labelled point: two features and a class (0 or 1).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sample {
    /// The features.
    pub x: [f32; 2],
    /// The class, 0 or 1.
    pub label: u8,
}

/// Why a data set or sample was refused.
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
    /// A label other than 0 or 1.
    BadLabel {
        /// Index of the sample.
        index: usize,
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
            Self::BadLabel { index } => write!(f, "sample {index} has a label other than 0 or 1"),
            Self::NonFinite { index } => write!(f, "sample {index} has a NaN or infinite feature"),
        }
    }
}

impl core::error::Error for DataError {}

impl Sample {
    /// A checked sample: finite features and a 0/1 label (`index` goes into the error).
    pub fn checked(x1: f32, x2: f32, label: u8, index: usize) -> Result<Sample, DataError> {
        if !x1.is_finite() || !x2.is_finite() {
            return Err(DataError::NonFinite { index });
        }
        if label > 1 {
            return Err(DataError::BadLabel { index });
        }
        Ok(Sample { x: [x1, x2], label })
    }
}

/// A data set cut in order into train (70 %), dev (10 %) and test (the rest).
#[derive(Clone, Copy, Debug)]
pub struct Split<'a> {
    /// Trains each child.
    pub train: &'a [Sample],
    /// Scores each child: its accuracy here is the reward.
    pub dev: &'a [Sample],
    /// Touched only by `finish`, to report the winner's accuracy.
    pub test: &'a [Sample],
}

/// What identifies a data set and its split, bit for bit: a 64-bit FNV-1a hash of the three
/// parts' sizes and every sample's coordinates' bits and label. A checkpoint carries it, so
/// that a search is never continued on other data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub u64);

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// FNV-1a, 64-bit: simple, no table, and enough to tell data sets apart (it guards against
/// mistakes, not adversaries).
fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl<'a> Split<'a> {
    /// The data's [`Fingerprint`]: the same samples split the same way give the same one.
    pub fn fingerprint(&self) -> Fingerprint {
        let mut h = 0xcbf2_9ce4_8422_2325;
        for part in [self.train, self.dev, self.test] {
            h = fnv1a(h, &(part.len() as u64).to_le_bytes());
            for s in part {
                h = fnv1a(h, &s.x[0].to_bits().to_le_bytes());
                h = fnv1a(h, &s.x[1].to_bits().to_le_bytes());
                h = fnv1a(h, &[s.label]);
            }
        }
        Fingerprint(h)
    }

    /// Checks `samples` (count, labels, finiteness) and splits them in order. Never panics.
    pub fn new(samples: &'a [Sample]) -> Result<Split<'a>, DataError> {
        let n = samples.len();
        if n < MIN_SAMPLES {
            return Err(DataError::TooFew { got: n });
        }
        if n > MAX_SAMPLES {
            return Err(DataError::TooMany { got: n });
        }
        for (index, s) in samples.iter().enumerate() {
            Sample::checked(s.x[0], s.x[1], s.label, index)?;
        }
        let n_train = n * TRAIN_PERCENT / 100;
        let n_dev = n * DEV_PERCENT / 100;
        let (train, rest) = samples.split_at(n_train);
        let (dev, test) = rest.split_at(n_dev);
        Ok(Split { train, dev, test })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_70_10_20_in_order() {
        let samples = [Sample::default(); 1000];
        let s = Split::new(&samples).unwrap();
        assert_eq!((s.train.len(), s.dev.len(), s.test.len()), (700, 100, 200));
        let s = Split::new(&samples[..MIN_SAMPLES]).unwrap();
        assert_eq!((s.train.len(), s.dev.len(), s.test.len()), (14, 2, 4));
    }

    #[test]
    fn refuses_bad_sets_with_the_reason() {
        let mut samples = [Sample::default(); 30];
        assert_eq!(
            Split::new(&samples[..19]).unwrap_err(),
            DataError::TooFew { got: 19 }
        );
        samples[3].label = 2;
        assert_eq!(
            Split::new(&samples).unwrap_err(),
            DataError::BadLabel { index: 3 }
        );
        samples[3].label = 1;
        samples[5].x[1] = f32::INFINITY;
        assert_eq!(
            Split::new(&samples).unwrap_err(),
            DataError::NonFinite { index: 5 }
        );
    }
}
