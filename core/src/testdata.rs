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

    /// Its rows (checked).
    pub fn rows(&self) -> Rows<'_> {
        Rows::new(&self.x, &self.y, self.shape).unwrap()
    }

    /// Its 70/10/20 split.
    pub fn split(&self) -> Split<'_> {
        Split::new(self.rows()).unwrap()
    }
}
