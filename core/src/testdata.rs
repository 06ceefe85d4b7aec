//! Owned data for the unit tests (std is there under `cfg(test)`).

use crate::arch::Shape;
use crate::config::DataConfig;
use crate::datasets;
use crate::sample::{Rows, Split};

/// A data set's storage: features row-major, and labels.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Data {
    pub x: Vec<f32>,
    pub y: Vec<u8>,
    pub shape: Shape,
}

impl Data {
    /// `n` points of the default moons (noise 0.2, data seed 0).
    pub fn moons(n: usize) -> Data {
        Data::generated(&DataConfig {
            samples: n,
            ..DataConfig::default()
        })
    }

    /// The data set `config` describes.
    pub fn generated(config: &DataConfig) -> Data {
        let (mut x, mut y) = (vec![0.0; 2 * config.samples], vec![0; config.samples]);
        datasets::generate_config(config, &mut x, &mut y).unwrap();
        Data {
            x,
            y,
            shape: Shape::MOONS,
        }
    }

    /// The moons' `n` points widened to `d` features (each further one a mix of the two and
    /// its index) and labelled into `k` classes by bands of the first: a data set of any shape.
    pub fn shaped(n: usize, d: usize, k: usize) -> Data {
        let moons = Data::moons(n);
        let mut x = Vec::with_capacity(n * d);
        let mut y = Vec::with_capacity(n);
        for (p, &label) in moons.x.chunks_exact(2).zip(&moons.y) {
            for j in 0..d {
                x.push(match j {
                    0 | 1 => p[j],
                    _ => p[0] * (j as f32 * 0.3) - p[1] + j as f32 * 0.1,
                });
            }
            // Bands of the first feature (which spans about −1 to 2).
            let band = ((p[0] + 1.0) / 3.0 * k as f32).max(0.0) as usize;
            y.push(if k == 2 { label } else { band.min(k - 1) as u8 });
        }
        Data {
            x,
            y,
            shape: Shape::new(d, k).unwrap(),
        }
    }

    /// Its rows (checked).
    pub fn rows(&self) -> Rows<'_> {
        Rows::new(&self.x, &self.y, self.shape).unwrap()
    }

    /// Its 70/10/20 split.
    pub fn split(&self) -> Split<'_> {
        Split::new(self.rows()).unwrap()
    }
}
