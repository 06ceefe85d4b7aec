//! The trained winner on disk (`network.json` in a run directory) and `piconas export`, which
//! writes it as JSON or as a Rust source file of `const` arrays that firmware can `include!`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use piconas_core::mlp::Workspace;
use piconas_core::{Arch, DataConfig, Dataset, Network, Shape};
use serde::{Deserialize, Serialize};

use crate::cli::{ExportArgs, ExportFormat};
use crate::failure::Failure;
use crate::output;

/// The generated data a network was trained on (`None` in the file for CSV data).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Generated {
    /// The data set's name (`moons`, `circles`, `xor`, `spirals`); version-1 files, which
    /// predate the choice, were all moons.
    #[serde(default = "moons")]
    pub dataset: String,
    pub samples: usize,
    pub noise: f32,
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
    /// Format version: 3 (versions 1 and 2, read too, had two features and two classes;
    /// version 1 called `data` `moons` and had only moons).
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
    pub standardize: Option<crate::data::Scaling>,
    /// The architecture, e.g. `[16, Tanh, 8, ReLU]`.
    pub arch: String,
    /// The weights, flat, in `piconas_core::mlp::Layout` order (each linear layer's weights
    /// `[out][in]`, then its biases); shortest round-trip decimals, so every bit is kept.
    pub weights: Vec<f32>,
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

const FORMAT: &str = "piconas-network";
const VERSION: u32 = 3;

impl NetworkFile {
    /// The file for `net`, trained on `data`; `dev` and `test` are its accuracies.
    pub fn new(net: &Network, data: &crate::data::Dataset, dev: f32, test: f32) -> NetworkFile {
        NetworkFile {
            format: FORMAT.into(),
            version: VERSION,
            features: data.features.clone(),
            classes: data.classes.clone(),
            standardize: data.scaling.clone(),
            arch: net.arch().to_string(),
            weights: net.weights().to_vec(),
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

    /// Writes `network.json` into `dir` atomically.
    pub fn save(&self, dir: &Path) -> Result<(), Failure> {
        let json = serde_json::to_string_pretty(self)
            .map_err(|e| Failure::bug(format!("network.json: {e}")))?;
        output::write_atomic(&dir.join("network.json"), format!("{json}\n").as_bytes())
    }

    /// Reads and checks `dir/network.json`.
    pub fn load(dir: &Path) -> Result<(NetworkFile, Arch), Failure> {
        let (path, text) = output::read_run_file(dir, "network.json", "finished piconas run")?;
        let bad = |what: String| Failure::Input(format!("{}: {what}", path.display()));
        let file: NetworkFile =
            serde_json::from_str(&text).map_err(|e| bad(format!("not a network file: {e}")))?;
        if file.format != FORMAT || !(1..=VERSION).contains(&file.version) {
            return Err(bad(format!(
                "format {:?} version {}, expected {FORMAT:?} version 1 to {VERSION}",
                file.format, file.version
            )));
        }
        let arch: Arch = file
            .arch
            .parse()
            .map_err(|e| bad(format!("arch {:?}: {e}", file.arch)))?;
        let shape = file.shape().map_err(|e| bad(e.to_string()))?;
        if let Some(s) = &file.standardize {
            let d = shape.inputs();
            if s.mean.len() != d || s.scale.len() != d {
                return Err(bad(format!(
                    "standardize: {} means and {} scales for {d} features",
                    s.mean.len(),
                    s.scale.len()
                )));
            }
            let fine = |v: &f32| v.is_finite();
            if !s.mean.iter().all(fine) || !s.scale.iter().all(|v| fine(v) && *v > 0.0) {
                return Err(bad(
                    "standardize: a mean is not finite, or a scale not finite and positive".into(),
                ));
            }
        }
        // The core checks the weights as it does everywhere they are read back.
        Network::new(arch, shape, &file.weights).map_err(|e| bad(format!("{}: {e}", file.arch)))?;
        if let Some(d) = &file.data {
            // The data block is checked by the search's own rules.
            let config = DataConfig {
                dataset: Dataset::from_name(&d.dataset).ok_or_else(|| {
                    bad(format!(
                        "data: unknown data set {:?} (expected moons, circles, xor or spirals)",
                        d.dataset
                    ))
                })?,
                samples: d.samples,
                noise: d.noise,
                seed: d.seed,
            };
            config.validate().map_err(|e| bad(format!("data: {e}")))?;
        }
        Ok((file, arch))
    }

    /// The features and classes the network maps (checked against the core's capacities).
    pub fn shape(&self) -> Result<Shape, piconas_core::ShapeError> {
        Shape::new(self.features.len(), self.classes.len())
    }
}

/// `file` as a Rust source of `const` items (floats as exact bits).
pub fn rust_source(file: &NetworkFile, arch: &Arch, run: &Path) -> String {
    let mut s = String::new();
    let pct = |v: f32| v * 100.0;
    let _ = writeln!(
        s,
        "// Generated by `piconas export --run {} --format rust`. Do not edit.",
        run.display()
    );
    let _ = writeln!(
        s,
        "// {}: dev accuracy {:.1} %, test accuracy {:.1} % (host).\n",
        file.arch,
        pct(file.dev_accuracy),
        pct(file.test_accuracy)
    );
    let _ = writeln!(s, "/// The architecture, for reading: `{}`.", file.arch);
    let _ = writeln!(s, "pub const ARCH: &str = {:?};", file.arch);
    let tokens = arch.encode();
    let _ = writeln!(
        s,
        "/// The architecture as controller token indices (`piconas_core::Arch::decode`)."
    );
    let _ = writeln!(
        s,
        "pub const TOKENS: [u8; {}] = {:?};",
        tokens.len(),
        tokens.as_slice()
    );
    let _ = writeln!(
        s,
        "/// The features it reads and the classes it tells apart.\npub const INPUTS: usize = {};\npub const CLASSES: usize = {};",
        file.features.len(),
        file.classes.len()
    );
    let _ = writeln!(
        s,
        "/// The trained weights, flat, in `piconas_core::mlp::Layout` order, as exact bits."
    );
    let _ = writeln!(s, "pub const WEIGHTS: [f32; {}] = [", file.weights.len());
    for chunk in file.weights.chunks(4) {
        let line: Vec<String> = chunk
            .iter()
            .map(|w| format!("f32::from_bits(0x{:08x})", w.to_bits()))
            .collect();
        let _ = writeln!(s, "    {},", line.join(", "));
    }
    let _ = writeln!(s, "];");
    let _ = writeln!(
        s,
        "/// The generated data it was trained on (`None`: a CSV file the firmware cannot rebuild)."
    );
    match file
        .data
        .as_ref()
        .and_then(|m| Some((m, Dataset::from_name(&m.dataset)?)))
    {
        Some((m, dataset)) => {
            let _ = writeln!(
                s,
                "pub const DATA: Option<piconas_core::DataConfig> = Some(piconas_core::DataConfig {{\n    dataset: piconas_core::Dataset::{dataset:?},\n    samples: {},\n    noise: f32::from_bits(0x{:08x}),\n    seed: {},\n}});",
                m.samples,
                m.noise.to_bits(),
                m.seed
            );
        }
        None => {
            let _ = writeln!(
                s,
                "pub const DATA: Option<piconas_core::DataConfig> = None;"
            );
        }
    }
    predictions_source(&mut s, &test_predictions(file, arch).unwrap_or_default());
    let _ = writeln!(
        s,
        "/// The host's test accuracy of this network, as f32 bits ({:.4}).",
        file.test_accuracy
    );
    let _ = writeln!(
        s,
        "pub const HOST_TEST_ACCURACY_BITS: u32 = 0x{:08x};",
        file.test_accuracy.to_bits()
    );
    s
}

/// `HOST_TEST_PREDICTIONS`, for the chip to compare point by point.
fn predictions_source(s: &mut String, predictions: &[u8]) {
    let _ = writeln!(
        s,
        "/// The host's predicted class of each test point, in split order (empty for a CSV file)."
    );
    let _ = writeln!(
        s,
        "pub const HOST_TEST_PREDICTIONS: [u8; {}] = [",
        predictions.len()
    );
    for chunk in predictions.chunks(40) {
        let line: Vec<String> = chunk.iter().map(u8::to_string).collect();
        let _ = writeln!(s, "    {},", line.join(", "));
    }
    let _ = writeln!(s, "];");
}

/// The predicted class of every test point of the generated data `file` was trained on
/// (`None` for CSV data, which the file does not carry).
fn test_predictions(file: &NetworkFile, arch: &Arch) -> Option<Vec<u8>> {
    let m = file.data.as_ref()?;
    let config = DataConfig {
        dataset: Dataset::from_name(&m.dataset)?,
        samples: m.samples,
        noise: m.noise,
        seed: m.seed,
    };
    let data = crate::data::Dataset::generate(config).ok()?;
    let split = data.split().ok()?;
    let mut classes = vec![0u8; split.test.len()];
    let network = Network::new(*arch, file.shape().ok()?, &file.weights).ok()?;
    network.classify(
        &mut Box::new(Workspace::new()),
        split.test.features(),
        &mut classes,
    );
    Some(classes)
}

/// `piconas export`.
pub fn main(args: &ExportArgs) -> Result<(), Failure> {
    let (file, arch) = NetworkFile::load(&args.run)?;
    let text = match args.format {
        ExportFormat::Json => {
            let json = serde_json::to_string_pretty(&file)
                .map_err(|e| Failure::bug(format!("network.json: {e}")))?;
            format!("{json}\n")
        }
        ExportFormat::Rust => rust_source(&file, &arch, &args.run),
    };
    match &args.out {
        Some(path) => output::write_atomic(path, text.as_bytes()),
        // The export is the output: a full or closed stdout is a failure (exit 1), not a panic.
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| Failure::Io(format!("stdout: cannot write the export: {e}")))
        }
    }
}
