//! Properties of the public API over random inputs: nothing panics, errors are typed, round
//! trips hold, gradients match finite differences, training never hides a NaN.

use piconas_core::config::{DataConfig, MAX_ROLLOUTS_PER_UPDATE};
use piconas_core::mlp::{Layout, MAX_PARAMS, Workspace};
use piconas_core::rng::{self, Stream};
use piconas_core::{
    Arch, ChildConfig, Sample, Search, SearchConfig, Split, Token, Trainer, datasets,
};
use proptest::prelude::*;

fn small_data() -> Vec<Sample> {
    let mut v = vec![Sample::default(); 120];
    let cfg = DataConfig {
        samples: 120,
        ..DataConfig::default()
    };
    datasets::generate_config(&cfg, &mut v).unwrap();
    v
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn token_sequences_decode_or_fail_typed_and_round_trip(indices in prop::collection::vec(any::<u8>(), 0..10)) {
        if let Ok(arch) = Arch::decode(&indices) {
            prop_assert_eq!(Arch::decode(&arch.encode()), Ok(arch));
            prop_assert_eq!(arch.to_string().parse::<Arch>(), Ok(arch));
            prop_assert!(arch.len() <= 6);
        }
    }

    #[test]
    fn any_text_parses_or_fails_typed(text in ".{0,60}") {
        if let Ok(arch) = text.parse::<Arch>() {
            prop_assert_eq!(arch.to_string().parse::<Arch>(), Ok(arch));
        }
    }

    #[test]
    fn any_configuration_is_accepted_or_names_its_field(
        rollouts in any::<u32>(), seed in any::<u64>(), batch in any::<usize>(),
        epochs in any::<u32>(), patience in any::<u32>(), lr in any_f32(), beta1 in any_f32(),
        clr in any_f32(), entropy in any_f32(), decay in any_f32(), clip in any_f32(),
        per_update in 0usize..20, finalists in 0usize..20, retrains in any::<u32>(),
        samples in any::<usize>(), noise in any_f32(), lambda in any_f32(),
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
        let fields = [
            "rollouts", "child.learning_rate", "child.beta1", "child.batch_size", "child.max_epochs",
            "child.patience", "controller.learning_rate", "controller.entropy_weight",
            "controller.entropy_decay", "controller.max_grad_norm", "controller.rollouts_per_update",
            "finalists", "retrains", "cost_weight",
        ];
        match Search::<4, MAX_ROLLOUTS_PER_UPDATE>::new(c) {
            Ok(_) => prop_assert!(c.validate().is_ok()),
            Err(e) => {
                prop_assert!(fields.contains(&e.field), "{}", e);
                prop_assert!(e.to_string().starts_with(e.field));
            }
        }
        let m = DataConfig { samples, noise, seed, ..DataConfig::default() };
        if let Err(e) = m.validate() {
            prop_assert!(["samples", "noise"].contains(&e.field));
        }
    }

    #[test]
    fn arbitrary_bytes_never_make_restore_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut search: Box<Search<4>> = Box::new(Search::idle());
        prop_assert!(search.restore(SearchConfig::default(), &bytes).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn gradients_of_random_smooth_architectures_match_finite_differences(arch in smooth_arch(), seed in any::<u64>()) {
        let layout = Layout::new(&arch);
        let mut params = [0.0f32; MAX_PARAMS];
        layout.init(&mut params, &mut rng::stream(seed, Stream::Child, 0));
        let data = small_data();
        let mut ws = Workspace::new();
        ws.load(&data[..19]);
        let loss = |p: &[f32; MAX_PARAMS], ws: &mut Workspace| {
            layout.forward(p, ws);
            ws.loss(&layout)
        };
        loss(&params, &mut ws);
        let mut analytic = [0.0f32; MAX_PARAMS];
        let mut probe = params;
        layout.backward(&mut probe, &mut ws, |start, _, g| analytic[start..start + g.len()].copy_from_slice(g));
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
                "{} parameter {}: analytic {} vs numeric {}", arch, i, analytic[i], numeric
            );
        }
    }

    #[test]
    fn training_reports_divergence_instead_of_producing_nan(arch in arch(), lr_exp in -4i32..8, seed in any::<u64>()) {
        let data = small_data();
        let split = Split::new(&data).unwrap();
        let mut config = ChildConfig { max_epochs: 3, ..ChildConfig::default() };
        config.adam.learning_rate = 10f32.powi(lr_exp);
        let mut trainer = Box::new(Trainer::new());
        let outcome = trainer.train(&arch, &config, &split, &mut rng::stream(seed, Stream::Child, 1));
        prop_assert!((0.0..=1.0).contains(&outcome.reward), "{:?}", outcome);
        if outcome.diverged {
            prop_assert_eq!(outcome.reward, 0.0);
        } else {
            prop_assert!(trainer.best_params().iter().all(|w| w.is_finite()), "{} lr 1e{}: a NaN weight went unreported", arch, lr_exp);
            let acc = trainer.accuracy(split.test);
            prop_assert!((0.0..=1.0).contains(&acc));
        }
        prop_assert!(Token::ALL.len() == 10);
    }
}
