//! `network.json`: a trained network as every consumer reads it — its architecture and
//! weights, the features it reads and their standardisation, the classes it tells apart, and
//! how well it did. The runner writes it; `export`, `predict`, the page and the chip's deploy
//! path read it, through [`NetworkFile::parse`].

use piconas_core::{Arch, DataConfig, Dataset, Network, Shape, ensemble};
use serde::{Deserialize, Serialize};

use crate::data::{Dataset as DataSet, Scaling};
use crate::file_errors::{NetworkFileError, NetworkProblem};
use crate::run_files::{NETWORK_FORMAT as FORMAT, NETWORK_VERSION as VERSION};

/// The generated data a network was trained on (`None` in the file for CSV data).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Generated {
    /// The data set's name (`moons`, `circles`, `xor`, `spirals`); version-1 files, which
    /// predate the choice, were all moons.
    #[serde(default = "moons")]
    pub dataset: String,
    /// How many points were generated.
    pub samples: usize,
    /// The generator's noise.
    pub noise: f32,
    /// The generator's seed.
    pub seed: u64,
}

fn moons() -> String {
    Dataset::Moons.name().into()
}

/// `network.json`: a trained network and how well it did.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct NetworkFile {
    /// Always `piconas-network`.
    pub format: String,
    /// Format version: 4 (versions 1 to 3, read too, held one network's `weights`; versions
    /// 1 and 2 had two features and two classes; version 1 called `data` `moons` and had
    /// only moons).
    pub version: u32,
    /// The feature columns' names, in input order (`x1`, `x2` in files before version 3).
    #[serde(default = "two_features")]
    pub features: Vec<String>,
    /// The classes' names, in class (output) order (`0`, `1` before version 3).
    #[serde(default = "two_classes")]
    pub classes: Vec<String>,
    /// How raw features become the network's inputs, `(x − mean) / scale` per feature, or
    /// `null` if they are taken as they are (generated data, `--standardize off`, files
    /// before version 3).
    #[serde(default)]
    pub standardize: Option<Scaling>,
    /// The architecture, e.g. `[16, Tanh, 8, ReLU]`.
    pub arch: String,
    /// The ensemble's members (the winner's fold models; one network with `--folds 1`), each
    /// its weights, flat, in `piconas_core::mlp::Layout` order (each linear layer's weights
    /// `[out][in]`, then its biases); shortest round-trip decimals, so every bit is kept. The
    /// ensemble classifies by its members' mean logits (`piconas_core::ensemble`).
    #[serde(default)]
    pub members: Vec<Vec<f32>>,
    /// Versions 1 to 3: the one network's weights (read into `members`, never written).
    #[serde(default, skip_serializing)]
    weights: Vec<f32>,
    /// The generated data it was trained on, or `null` for a CSV file.
    #[serde(alias = "moons")]
    pub data: Option<Generated>,
    /// Its dev accuracy.
    pub dev_accuracy: f32,
    /// Its test accuracy, computed on the host: the firmware must reproduce it.
    pub test_accuracy: f32,
}

fn two_features() -> Vec<String> {
    vec!["x1".into(), "x2".into()]
}

fn two_classes() -> Vec<String> {
    vec!["0".into(), "1".into()]
}

/// The most members an ensemble may have: one per cross-validation fold.
pub const MAX_MEMBERS: usize = piconas_core::config::MAX_FOLDS as usize;

impl NetworkFile {
    /// The file for the ensemble `members` (of one architecture, at least one), trained on
    /// `data`; `dev` and `test` are its accuracies.
    pub fn new(members: &[Network], data: &DataSet, dev: f32, test: f32) -> NetworkFile {
        NetworkFile {
            format: FORMAT.into(),
            version: VERSION,
            features: data.features.clone(),
            classes: data.classes.clone(),
            standardize: data.scaling.clone(),
            arch: members
                .first()
                .map_or_else(|| Arch::EMPTY.to_string(), |m| m.arch().to_string()),
            members: members.iter().map(|m| m.weights().to_vec()).collect(),
            weights: Vec::new(),
            data: data.generated.map(|m| Generated {
                dataset: m.dataset.name().into(),
                samples: m.samples,
                noise: m.noise,
                seed: m.seed,
            }),
            dev_accuracy: dev,
            test_accuracy: test,
        }
    }

    /// What a finished search saves: `network` (the winner's model the core's
    /// `Search::final_network` trained, `validation` its held-out score) classifies `split`'s
    /// test rows; returns the file and those test metrics. The runner and the page both save
    /// through this, so their network.json is the same for the same search.
    pub fn saved(
        members: &[Network],
        data: &DataSet,
        split: &piconas_core::Split<'_>,
        validation: f32,
    ) -> (NetworkFile, crate::metrics::Metrics) {
        let mut workspace = Box::new(piconas_core::mlp::Workspace::new());
        let mut predicted = vec![0u8; split.test.len()];
        ensemble::classify(
            members,
            &mut workspace,
            split.test.features(),
            &mut predicted,
        );
        let metrics =
            crate::metrics::Metrics::new(data.classes.clone(), split.test.labels(), &predicted);
        let file = NetworkFile::new(members, data, validation, metrics.accuracy());
        (file, metrics)
    }

    /// Raw rows (row-major, this file's features) as the network takes them: standardised as
    /// the file says, or as they are.
    pub fn inputs(&self, raw: &[f32]) -> Vec<f32> {
        let mut inputs = raw.to_vec();
        if let Some(scaling) = &self.standardize {
            scaling.apply(&mut inputs);
        }
        inputs
    }

    /// The file's text (pretty JSON, a final newline).
    pub fn to_json(&self) -> String {
        let json = serde_json::to_string_pretty(self)
            .unwrap_or_else(|_| unreachable!("numbers, strings and lists always serialise"));
        format!("{json}\n")
    }

    /// Brings a file of any version to the current one: before version 4 a file held one
    /// network's `weights`, since then the ensemble's `members` (at most [`MAX_MEMBERS`]).
    fn upgrade(&mut self) -> Result<(), NetworkProblem> {
        let (read, legacy) = (self.version, self.version < 4);
        self.version = VERSION;
        match (legacy, self.members.is_empty(), self.weights.is_empty()) {
            (true, true, _) => self.members = vec![std::mem::take(&mut self.weights)],
            (false, false, true) => {}
            (true, false, _) => return Err(NetworkProblem::MembersInLegacy { version: read }),
            (false, true, _) => return Err(NetworkProblem::NoMembers),
            (false, false, false) => return Err(NetworkProblem::WeightsBesideMembers),
        }
        if self.members.len() > MAX_MEMBERS {
            return Err(NetworkProblem::TooManyMembers {
                members: self.members.len(),
                max: MAX_MEMBERS,
            });
        }
        Ok(())
    }

    /// Reads and checks a network file's `text` (`name` goes into the errors): format and
    /// version, architecture, shape, standardisation, weights (by the core), data block.
    pub fn parse(name: &str, text: &str) -> Result<(NetworkFile, Arch), NetworkFileError> {
        let bad = |problem| NetworkFileError {
            source: name.into(),
            problem,
        };
        let mut file: NetworkFile = serde_json::from_str(text)
            .map_err(|e| bad(NetworkProblem::NotANetworkFile(e.to_string())))?;
        if file.format != FORMAT || !(1..=VERSION).contains(&file.version) {
            return Err(bad(NetworkProblem::Version {
                format: file.format.clone(),
                version: file.version,
            }));
        }
        file.upgrade().map_err(bad)?;
        for (key, value) in [
            ("dev_accuracy", file.dev_accuracy),
            ("test_accuracy", file.test_accuracy),
        ] {
            // An accuracy is a fraction; a decimal beyond f32 would read as infinity and be
            // written back as `null`.
            if !(0.0..=1.0).contains(&value) {
                return Err(bad(NetworkProblem::Accuracy { key, value }));
            }
        }
        let arch: Arch = file.arch.parse().map_err(|error| {
            bad(NetworkProblem::Arch {
                arch: file.arch.clone(),
                error,
            })
        })?;
        let shape = file.shape().map_err(|e| bad(NetworkProblem::Shape(e)))?;
        if let Some(s) = &file.standardize {
            s.check(shape.inputs()).map_err(bad)?;
        }
        // The core checks the weights as it does everywhere they are read back.
        for (m, weights) in file.members.iter().enumerate() {
            Network::new(arch, shape, weights).map_err(|error| {
                bad(NetworkProblem::Weights {
                    arch: file.arch.clone(),
                    member: (file.members.len() > 1).then_some(m),
                    error,
                })
            })?;
        }
        if let Some(d) = &file.data {
            // The data block is checked by the search's own rules.
            let config = DataConfig {
                dataset: Dataset::from_name(&d.dataset).ok_or_else(|| {
                    bad(NetworkProblem::UnknownDataSet {
                        name: d.dataset.clone(),
                    })
                })?,
                samples: d.samples,
                noise: d.noise,
                seed: d.seed,
            };
            config
                .validate()
                .map_err(|e| bad(NetworkProblem::Data(e)))?;
        }
        Ok((file, arch))
    }

    /// The features and classes the network maps (checked against the core's capacities).
    pub fn shape(&self) -> Result<Shape, piconas_core::ShapeError> {
        Shape::new(self.features.len(), self.classes.len())
    }

    /// The ensemble's members as networks (checked when the file was parsed).
    pub fn networks(&self, arch: Arch) -> Result<Vec<Network>, NetworkFileError> {
        let bad = |problem| NetworkFileError {
            source: crate::run_files::NETWORK.into(),
            problem,
        };
        let shape = self.shape().map_err(|e| bad(NetworkProblem::Shape(e)))?;
        self.members
            .iter()
            .map(|w| {
                Network::new(arch, shape, w).map_err(|error| {
                    bad(NetworkProblem::Weights {
                        arch: self.arch.clone(),
                        member: None,
                        error,
                    })
                })
            })
            .collect()
    }
}

/// A network file for unit tests: `arch` on `d` features (`f0`…) and `k` classes (`c0`…),
/// standardised by `scaling` if given, weight `i` being `weight(i)`.
#[cfg(test)]
pub(crate) fn test_file(
    arch: &str,
    (d, k): (usize, usize),
    scaling: Option<Scaling>,
    weight: impl Fn(usize) -> f32,
) -> (NetworkFile, Arch) {
    let arch: Arch = arch.parse().unwrap();
    synthetic(arch, (d, k), scaling, 1, |_, i| weight(i)).unwrap()
}

/// A network file of `members` networks of `arch` on `d` features (`f0`…) and `k` classes
/// (`c0`…), standardised by `scaling` if given, member `m`'s weight `i` being `weight(m, i)`:
/// a network of any architecture without training one, for the tests and for measuring what
/// an architecture costs on a chip (`tests/targets/`).
pub fn synthetic(
    arch: Arch,
    (d, k): (usize, usize),
    scaling: Option<Scaling>,
    members: usize,
    weight: impl Fn(usize, usize) -> f32,
) -> Result<(NetworkFile, Arch), NetworkFileError> {
    // A shape out of range gets no weights: the reader then names what is wrong.
    let n = Shape::new(d, k).map_or(0, |shape| arch.parameter_count(shape));
    let text = serde_json::json!({
        "format": "piconas-network",
        "version": 4,
        "features": (0..d).map(|i| format!("f{i}")).collect::<Vec<_>>(),
        "classes": (0..k).map(|i| format!("c{i}")).collect::<Vec<_>>(),
        "standardize": scaling,
        "arch": arch.to_string(),
        "members": (0..members).map(|m| (0..n).map(|i| weight(m, i)).collect::<Vec<f32>>()).collect::<Vec<_>>(),
        "data": null,
        "dev_accuracy": 0.5,
        "test_accuracy": 0.5,
    });
    NetworkFile::parse("synthetic", &text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file's text with `edit` applied to its JSON.
    fn edited(edit: impl Fn(&mut serde_json::Value)) -> String {
        let (file, _) = test_file("[Tanh, 4]", (2, 3), None, |i| i as f32);
        let mut json: serde_json::Value = serde_json::from_str(&file.to_json()).unwrap();
        edit(&mut json);
        json.to_string()
    }

    fn error(text: &str) -> String {
        match NetworkFile::parse("n.json", text) {
            Err(e) => e.to_string(),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn accuracies_are_fractions() {
        // The fuzzer's find: 300 digits read as an f32 infinity, which JSON writes as null.
        let huge = edited(|j| j["dev_accuracy"] = serde_json::json!(1.1e300));
        assert_eq!(
            error(&huge),
            "n.json: dev_accuracy inf is not between 0 and 1"
        );
        let negative = edited(|j| j["test_accuracy"] = serde_json::json!(-0.5));
        assert_eq!(
            error(&negative),
            "n.json: test_accuracy -0.5 is not between 0 and 1"
        );
        for edge in [0.0, 1.0] {
            let text = edited(|j| j["dev_accuracy"] = serde_json::json!(edge));
            assert!(NetworkFile::parse("n.json", &text).is_ok());
        }
    }

    #[test]
    fn older_versions_are_read_as_the_current_one_and_bad_member_blocks_are_named() {
        let old = edited(|j| {
            j["version"] = 2.into();
            j["weights"] = j["members"][0].clone();
            j["members"] = serde_json::json!([]);
        });
        let (file, _) = NetworkFile::parse("n.json", &old).unwrap();
        assert_eq!((file.version, file.members.len()), (VERSION, 1));
        // The message names the version the file was written as, not the one it is read as.
        let both = edited(|j| j["version"] = 3.into());
        assert_eq!(error(&both), "n.json: members in a version-3 file");
        let none = edited(|j| j["members"] = serde_json::json!([]));
        assert_eq!(error(&none), "n.json: no members: an ensemble needs one");
        let many = edited(|j| {
            let one = j["members"][0].clone();
            j["members"] = serde_json::Value::Array(vec![one; MAX_MEMBERS + 1]);
        });
        assert!(error(&many).contains("members, but an ensemble has at most"));
        let most = edited(|j| {
            let one = j["members"][0].clone();
            j["members"] = serde_json::Value::Array(vec![one; MAX_MEMBERS]);
        });
        assert_eq!(
            NetworkFile::parse("n.json", &most).unwrap().0.members.len(),
            MAX_MEMBERS
        );
        // Another format is refused at a version this build reads, and the reverse.
        let format = edited(|j| j["format"] = "other".into());
        assert!(error(&format).starts_with("n.json: format \"other\" version 4, expected"));
        let version = edited(|j| j["version"] = 9.into());
        assert!(error(&version).contains("version 9, expected"));
        // A bad member is named by its place when there are several.
        let member = |members: usize| {
            edited(move |j| {
                let one = j["members"][0].clone();
                let mut bad = one.clone();
                bad.as_array_mut().unwrap().pop();
                let mut all = vec![one; members - 1];
                all.push(bad);
                j["members"] = serde_json::Value::Array(all);
            })
        };
        assert!(error(&member(2)).starts_with("n.json: [Tanh, 4] member 1: "));
        assert!(error(&member(1)).starts_with("n.json: [Tanh, 4]: "));
        let scale = edited(|j| {
            j["standardize"] = serde_json::json!({"mean": [0.0, 0.0], "scale": [1.0, 0.0]})
        });
        assert!(error(&scale).contains("a scale not finite and positive"));
    }
}
