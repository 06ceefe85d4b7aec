//! Properties of the public API over random inputs: nothing panics, errors are typed, round
//! trips hold, gradients match finite differences, training never hides a NaN.

use piconas_core::config::{DataConfig, MAX_ROLLOUTS_PER_UPDATE, MAX_SAMPLES, MIN_SAMPLES};
use piconas_core::mlp::{Layout, MAX_PARAMS, Workspace};
use piconas_core::rng::{self, Stream};
use piconas_core::{
    Arch, ChildConfig, MAX_CLASSES, MAX_INPUTS, Rows, Search, SearchConfig, Shape, Split, Token,
    Trainer, datasets,
};
use proptest::prelude::*;

/// The data fingerprint these tests' checkpoints carry (no data is read back from them).
const DATA: piconas_core::Fingerprint = piconas_core::Fingerprint(0x5eed);

/// 120 moons points: features (row-major) and labels.
fn small_data() -> (Vec<f32>, Vec<u8>) {
    let (mut x, mut y) = (vec![0.0; 240], vec![0; 120]);
    let cfg = DataConfig {
        samples: 120,
        ..DataConfig::default()
    };
    datasets::generate_config(&cfg, &mut x, &mut y).unwrap();
    (x, y)
}

/// `n` rows of `shape` with random features and the classes in turn.
fn random_data(shape: Shape, n: usize, seed: u64) -> (Vec<f32>, Vec<u8>) {
    let mut rng = rng::stream(seed, Stream::Data, 0);
    let x = (0..n * shape.inputs())
        .map(|_| rng::symmetric(&mut rng, 2.0))
        .collect();
    let y = (0..n).map(|i| (i % shape.classes()) as u8).collect();
    (x, y)
}

/// Any shape within the capacities.
fn shape() -> impl Strategy<Value = Shape> {
    (1..=MAX_INPUTS, 2..=MAX_CLASSES).prop_map(|(d, k)| Shape::new(d, k).unwrap())
}

/// Any architecture (0 to 6 non-EOS tokens).
fn arch() -> impl Strategy<Value = Arch> {
    prop::collection::vec(0u8..9, 0..=6).prop_map(|t| Arch::decode(&t).unwrap())
}

/// Architectures whose activations are smooth (finite differences are exact up to rounding):
/// widths, Sigmoid and Tanh. With `fast-math`, widths only: micromath's tanh and sigmoid are
/// approximations whose local slope differs from the exact derivative the backward pass uses
/// (by up to half of it at this step size), so finite differences would test micromath.
fn smooth_arch() -> impl Strategy<Value = Arch> {
    let tokens = if cfg!(feature = "fast-math") {
        vec![0u8, 1, 2, 3, 4]
    } else {
        vec![0u8, 1, 2, 3, 4, 5, 6]
    };
    prop::collection::vec(prop::sample::select(tokens), 0..=6)
        .prop_map(|t| Arch::decode(&t).unwrap())
}

fn any_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        Just(f32::NAN),
        Just(f32::INFINITY),
        Just(f32::NEG_INFINITY),
        Just(0.0f32),
        -2.0f32..2.0,
        any::<f32>(),
    ]
}

/// Controller indices that are mostly valid sequences (some EOS-terminated), with a few
/// unknown indices, tokens after EOS and over-long sequences mixed in: both outcomes of
/// `decode` are reached.
fn indices() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(0u8..9, 0..=6),
        2 => (prop::collection::vec(0u8..9, 0..=6)).prop_map(|mut v| { v.push(9); v }),
        2 => prop::collection::vec(0u8..12, 0..=8),
        1 => prop::collection::vec(any::<u8>(), 0..10),
    ]
}

/// The decoding rule, written independently of `Arch::decode`: every index below 10, EOS (9)
/// only last, at most six tokens before it.
fn decodes(indices: &[u8]) -> bool {
    let body = match indices.iter().position(|&i| i == 9) {
        Some(eos) if eos + 1 != indices.len() => return false,
        Some(eos) => &indices[..eos],
        None => indices,
    };
    body.len() <= 6 && body.iter().all(|&i| i < 9)
}

/// A token's name as a user might type it: any case, spaces around it.
fn typed(name: &str, upper: bool, pad: usize) -> String {
    let name = if upper {
        name.to_uppercase()
    } else {
        name.to_lowercase()
    };
    format!("{}{name}{}", " ".repeat(pad), " ".repeat(pad % 2))
}

/// A checkpoint's bytes: a real one of a small batched search.
fn checkpoint_of(search: &Search<4, 2>) -> Vec<u8> {
    let mut bytes = vec![0u8; Search::<4, 2>::checkpoint_len()];
    let n = search.save(&mut bytes, DATA).unwrap();
    bytes.truncate(n);
    bytes
}

fn batched_config() -> SearchConfig {
    let mut c = SearchConfig {
        rollouts: 8,
        retrains: 1,
        ..SearchConfig::default()
    };
    c.child.max_epochs = 2;
    c.controller.rollouts_per_update = 2;
    c
}

/// A search of `batched_config` after 4 rollouts, and its checkpoint.
fn saved_search() -> &'static (Search<4, 2>, Vec<u8>) {
    static SAVED: std::sync::OnceLock<(Search<4, 2>, Vec<u8>)> = std::sync::OnceLock::new();
    SAVED.get_or_init(|| {
        let (x, y) = small_data();
        let split = Split::new(Rows::new(&x, &y, Shape::MOONS).unwrap()).unwrap();
        let mut s = Search::new(batched_config()).unwrap();
        for _ in 0..4 {
            s.step(&split).unwrap();
        }
        let bytes = checkpoint_of(&s);
        (s, bytes)
    })
}

/// A value that is valid nine times in ten, and one of `bad` otherwise.
fn mostly<T: Clone + std::fmt::Debug + 'static>(
    good: impl Strategy<Value = T> + 'static,
    bad: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<T> {
    prop_oneof![9 => good, 1 => bad].boxed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn token_sequences_decode_exactly_when_valid_and_round_trip(indices in indices()) {
        prop_assert_eq!(Arch::decode(&indices).is_ok(), decodes(&indices), "{:?}", indices);
        if let Ok(arch) = Arch::decode(&indices) {
            prop_assert_eq!(Arch::decode(&arch.encode()), Ok(arch));
            prop_assert_eq!(arch.to_string().parse::<Arch>(), Ok(arch));
            // The encoding is the tokens, then EOS unless all six places are taken.
            let mut body: Vec<u8> = indices.iter().copied().take_while(|&i| i != 9).collect();
            prop_assert_eq!(arch.len(), body.len());
            if body.len() < 6 {
                body.push(9);
            }
            let encoded = arch.encode();
            prop_assert_eq!(encoded.as_slice(), &body[..]);
        }
        for &i in &indices {
            match Token::from_index(i) {
                Some(t) => prop_assert!(i < 10 && t.index() == i && Token::ALL[usize::from(i)] == t),
                None => prop_assert!(i >= 10),
            }
        }
    }

    #[test]
    fn typed_architectures_parse_and_a_wrong_name_is_located(
        tokens in prop::collection::vec(0u8..9, 0..=6), upper in any::<bool>(), pad in 0usize..3,
        wrong in any::<prop::sample::Index>(),
    ) {
        let arch = Arch::decode(&tokens).unwrap();
        let names: Vec<String> = arch.tokens().iter().map(|t| typed(t.name(), upper, pad)).collect();
        let text = format!(" [{}] ", names.join(","));
        prop_assert_eq!(text.parse::<Arch>(), Ok(arch), "{}", text);
        if !names.is_empty() {
            let position = wrong.index(names.len());
            let mut bad = names.clone();
            bad[position] = "Softmax".into();
            let bad = format!("[{}]", bad.join(", "));
            prop_assert_eq!(bad.parse::<Arch>(), Err(piconas_core::TokenError::UnknownName { position }), "{}", bad);
            let unclosed = format!("[{}", names.join(","));
            prop_assert_eq!(unclosed.parse::<Arch>(), Err(piconas_core::TokenError::Syntax));
        }
    }

    #[test]
    fn any_text_parses_or_fails_typed(text in ".{0,60}") {
        if let Ok(arch) = text.parse::<Arch>() {
            prop_assert_eq!(arch.to_string().parse::<Arch>(), Ok(arch));
        }
    }

    #[test]
    fn a_configuration_is_accepted_exactly_when_every_field_is_in_range(
        rollouts in mostly(1u32..=10_000_000, Just(0u32)),
        seed in any::<u64>(),
        batch in mostly(1usize..=32, prop_oneof![Just(0usize), 33usize..1000]),
        epochs in mostly(1u32..=100_000, prop_oneof![Just(0u32), 100_001u32..]),
        patience in mostly(1u32..=100_000, prop_oneof![Just(0u32), 100_001u32..]),
        lr in mostly(1e-6f32..1.0, any_f32()),
        beta1 in mostly(0.0f32..0.99, any_f32()),
        clr in mostly(1e-6f32..1.0, any_f32()),
        entropy in mostly(0.0f32..1.0, any_f32()),
        decay in mostly(0.5f32..=1.0, any_f32()),
        clip in mostly(1e-3f32..100.0, any_f32()),
        per_update in mostly(1usize..=MAX_ROLLOUTS_PER_UPDATE, 0usize..20),
        finalists in mostly(1usize..=8, 0usize..40),
        retrains in mostly(1u32..=64, prop_oneof![Just(0u32), 65u32..]),
        lambda in mostly(0.0f32..=10.0, any_f32()),
        samples in mostly(MIN_SAMPLES..=MAX_SAMPLES, any::<usize>()),
        noise in mostly(0.0f32..=10.0, any_f32()),
    ) {
        let mut c = SearchConfig { rollouts, seed, finalists, retrains, ..SearchConfig::default() };
        c.child = ChildConfig { batch_size: batch, max_epochs: epochs, patience, ..ChildConfig::default() };
        c.child.adam.learning_rate = lr;
        c.child.adam.beta1 = beta1;
        c.controller.adam.learning_rate = clr;
        c.controller.entropy_weight = entropy;
        c.controller.entropy_decay = decay;
        c.controller.max_grad_norm = Some(clip);
        c.controller.rollouts_per_update = per_update;
        c.cost_weight = lambda;
        let positive = |v: f32| v.is_finite() && v > 0.0;
        // Each field's rule, written out here (the settings table of docs/reference.md), not taken from
        // `validate`.
        let bad: Vec<&str> = [
            ("rollouts", (1..=10_000_000).contains(&rollouts)),
            ("child.learning_rate", positive(lr)),
            ("child.beta1", (0.0..1.0).contains(&beta1)),
            ("child.batch_size", (1..=32).contains(&batch)),
            ("child.max_epochs", (1..=100_000).contains(&epochs)),
            ("child.patience", (1..=100_000).contains(&patience)),
            ("controller.learning_rate", positive(clr)),
            ("controller.entropy_weight", (0.0..=f32::MAX).contains(&entropy)),
            ("controller.entropy_decay", decay > 0.0 && decay <= 1.0),
            ("controller.max_grad_norm", positive(clip)),
            ("controller.rollouts_per_update", (1..=MAX_ROLLOUTS_PER_UPDATE).contains(&per_update)),
            ("finalists", (1..=8).contains(&finalists)),
            ("retrains", (1..=64).contains(&retrains)),
            ("cost_weight", (0.0..=10.0).contains(&lambda)),
        ]
        .into_iter()
        .filter(|&(_, ok)| !ok)
        .map(|(field, _)| field)
        .collect();
        match Search::<4, MAX_ROLLOUTS_PER_UPDATE>::new(c) {
            Ok(_) => prop_assert!(bad.is_empty(), "accepted with {:?} out of range", bad),
            Err(e) => {
                prop_assert!(bad.contains(&e.field), "{} named, but out of range: {:?}", e, bad);
                prop_assert!(e.to_string().starts_with(e.field));
            }
        }
        let m = DataConfig { samples, noise, seed, ..DataConfig::default() };
        let data_ok = (MIN_SAMPLES..=MAX_SAMPLES).contains(&samples) && (0.0..=10.0).contains(&noise);
        match m.validate() {
            Ok(()) => prop_assert!(data_ok),
            Err(e) => prop_assert!(!data_ok && ["samples", "noise"].contains(&e.field), "{}", e),
        }
    }

    #[test]
    fn arbitrary_bytes_never_make_restore_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut search: Box<Search<4>> = Box::new(Search::idle());
        prop_assert!(search.restore(SearchConfig::default(), &bytes, DATA).is_err());
    }

    #[test]
    fn a_damaged_checkpoint_is_refused_and_changes_nothing(
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
        fix_checksum in any::<bool>(), cut in prop::option::weighted(0.2, any::<prop::sample::Index>()),
    ) {
        let (saved, good) = saved_search();
        let mut bytes = good.clone();
        // Damage past the header so that the decoder, not just the magic check, sees it.
        let body = 16..bytes.len() - 4;
        for (at, xor) in &flips {
            bytes[body.start + at.index(body.len())] ^= xor;
        }
        if fix_checksum {
            let end = bytes.len() - 4;
            let crc = piconas_core::checkpoint::crc32(&bytes[..end]);
            bytes[end..].copy_from_slice(&crc.to_le_bytes());
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        let mut target: Box<Search<4, 2>> = Box::new(Search::new(batched_config()).unwrap());
        let before = checkpoint_of(&target);
        match target.restore(batched_config(), &bytes, DATA) {
            // A change the decoder cannot tell (a weight's bits, an unused finalist slot): it
            // is taken, and what it became saves and restores to itself.
            Ok(()) => {
                prop_assert!(fix_checksum && cut.is_none());
                let image = checkpoint_of(&target);
                let mut again: Box<Search<4, 2>> = Box::new(Search::idle());
                again.restore(batched_config(), &image, DATA).unwrap();
                prop_assert!(checkpoint_of(&again) == image);
            }
            Err(e) => {
                prop_assert!(checkpoint_of(&target) == before, "refused ({}) but changed", e);
                if !fix_checksum && cut.is_none() {
                    prop_assert_eq!(e, piconas_core::checkpoint::CheckpointError::Checksum);
                }
            }
        }
        // The undamaged checkpoint restores to the very search that saved it.
        target.restore(batched_config(), good, DATA).unwrap();
        prop_assert!(checkpoint_of(&target) == checkpoint_of(saved));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn gradients_of_random_smooth_architectures_match_finite_differences(arch in smooth_arch(), shape in shape(), seed in any::<u64>()) {
        let layout = Layout::new(&arch, shape);
        let mut params = [0.0f32; MAX_PARAMS];
        layout.init(&mut params, &mut rng::stream(seed, Stream::Child, 0));
        let (x, y) = random_data(shape, 19, seed);
        let mut ws = Workspace::new();
        ws.load(shape.inputs(), x.chunks_exact(shape.inputs()).zip(y));
        let loss = |p: &[f32; MAX_PARAMS], ws: &mut Workspace| {
            layout.forward(p, ws);
            ws.loss(&layout)
        };
        loss(&params, &mut ws);
        let mut analytic = [0.0f32; MAX_PARAMS];
        let mut probe = params;
        layout.backward(&mut probe, &mut ws, |start, _, g, _| analytic[start..start + g.len()].copy_from_slice(g));
        let n = layout.param_count();
        let eps = 1e-3f32;
        // Twelve parameters spread over the network (all of them for small ones).
        for i in (0..n).step_by((n / 12).max(1)) {
            let mut p = params;
            p[i] += eps;
            let up = loss(&p, &mut ws);
            p[i] -= 2.0 * eps;
            let down = loss(&p, &mut ws);
            let numeric = (up - down) / (2.0 * eps);
            prop_assert!(
                (numeric - analytic[i]).abs() <= 3e-3 + 3e-2 * numeric.abs(),
                "{} on {} parameter {}: analytic {} vs numeric {}", arch, shape, i, analytic[i], numeric
            );
        }
    }

    #[test]
    fn training_reports_divergence_instead_of_producing_nan(arch in arch(), lr_exp in -4i32..8, seed in any::<u64>()) {
        let (x, y) = small_data();
        let split = Split::new(Rows::new(&x, &y, Shape::MOONS).unwrap()).unwrap();
        let mut config = ChildConfig { max_epochs: 3, ..ChildConfig::default() };
        config.adam.learning_rate = 10f32.powi(lr_exp);
        let mut trainer = Box::new(Trainer::new());
        let outcome = trainer.train(&arch, &config, &split, &mut rng::stream(seed, Stream::Child, 1));
        prop_assert!((0.0..=1.0).contains(&outcome.reward), "{:?}", outcome);
        // A sane learning rate never diverges, whatever the architecture.
        prop_assert!(lr_exp > -2 || !outcome.diverged, "{} diverged at lr 1e{}", arch, lr_exp);
        if outcome.diverged {
            prop_assert_eq!(outcome.reward, 0.0);
        } else {
            prop_assert!(trainer.best_params().iter().all(|w| w.is_finite()), "{} lr 1e{}: a NaN weight went unreported", arch, lr_exp);
            let acc = trainer.accuracy(&split.test);
            prop_assert!((0.0..=1.0).contains(&acc));
        }
    }
}
