//! The original's code, rule by rule: where it differs from piconas's defaults, each
//! difference is a setting of its own, so that a search can follow the original exactly
//! ([`original`](crate::settings::original), the `original` preset) or switch the rules one
//! at a time (the ablation in docs/search.md).
//!
//! The original's code, as facts (piconas's default after the dash):
//! - the controller reads a zero vector at every step — the previous token, one-hot:
//!   [`ControllerInput`];
//! - no baseline — a moving average, decay 0.95: `ControllerConfig::baseline_decay`;
//! - the loss is divided by the number of steps — summed: [`StepLoss`];
//! - the reward is the last epoch's dev accuracy — the best epoch's: [`RewardEpoch`];
//! - the best epoch, and early stopping, go by dev accuracy — by dev loss: [`BestEpoch`];
//! - dev accuracy is the mean of per-batch accuracies over a shuffled dev loader of batches of
//!   32 — exact: [`DevAccuracy`];
//! - shaping penalties inside each rollout — none: [`Shaping`], [`shaping_penalty`];
//! - the winner is the single best reward's architecture — the finalists compared by
//!   cross-validation, the smallest of the tied chosen: `finalists`, `folds`, `retrains`,
//!   `selection` (see [`original`](crate::settings::original));
//! - a child trains at most 100 epochs however small the data, and is scored on the dev split
//!   however few its rows — a step floor and cross-validated rewards on small data:
//!   `ChildConfig::min_steps`, `SearchConfig::reward_folds`.

use crate::arch::Token;

/// A setting's choices as an enum: its variants' names, `ALL` and `NAMES` (in declaration
/// order), `name`, `from_name` and `Display`. The default is the variant marked
/// `#[default]`.
macro_rules! choices {
    ($(#[$meta:meta])* pub enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+
    }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every choice, in order.
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];
            /// Every choice's name, in order.
            pub const NAMES: [&'static str; [$($text),+].len()] = [$($text),+];

            /// The name used on command lines, in files and in the page.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The choice called `name`, if any.
            pub fn from_name(name: &str) -> Option<$name> {
                Self::ALL.into_iter().find(|c| c.name() == name)
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

pub(crate) use choices;

choices! {
    /// What the controller reads at each step.
    pub enum ControllerInput {
        /// The previous token, one-hot (zeros at the first step): piconas.
        #[default]
        Previous => "previous",
        /// A zero vector at every step, so the policy depends only on the position: the
        /// original.
        Zeros => "zeros",
    }
}

choices! {
    /// How a rollout's loss is totalled over its steps.
    pub enum StepLoss {
        /// Summed: piconas.
        #[default]
        Sum => "sum",
        /// Divided by the number of steps: the original.
        Mean => "mean",
    }
}

choices! {
    /// Which epoch's dev accuracy is a child's reward.
    pub enum RewardEpoch {
        /// The best epoch's (whose weights are kept): piconas.
        #[default]
        Best => "best",
        /// The last epoch run's: the original.
        Last => "last",
    }
}

choices! {
    /// Which epoch of a child's training is kept, and what its patience waits for.
    pub enum BestEpoch {
        /// The epoch with the lowest held-out cross-entropy (the reward is the accuracy
        /// there): piconas. The loss keeps falling while the margins grow, so a model whose
        /// accuracy on a few held-out rows has stopped changing still trains on.
        #[default]
        Loss => "loss",
        /// The epoch with the highest held-out accuracy (the first of equals): the original.
        Accuracy => "accuracy",
    }
}

choices! {
    /// How a child's dev accuracy is computed.
    pub enum DevAccuracy {
        /// The share of dev rows right: piconas.
        #[default]
        Exact => "exact",
        /// The mean of the per-batch accuracies over the dev rows shuffled into batches of the
        /// child's batch size (100 rows: 32, 32, 32 and 4, so the last 4 weigh a quarter): the
        /// original.
        BatchMean => "batch-mean",
    }
}

choices! {
    /// Penalties added to the reward inside each rollout.
    pub enum Shaping {
        /// None: piconas.
        #[default]
        None => "none",
        /// The original's ([`shaping_penalty`]).
        Original => "original",
    }
}

/// The original's shaping penalty of a rollout's `actions` (the tokens drawn, with EOS if it
/// was drawn), a sum of at most one penalty per token: −1 if EOS is the first or second token;
/// otherwise −0.1 if this token and the previous one are both widths; otherwise −0.1 if both
/// are activations and this one is not EOS. Zero or negative.
pub fn shaping_penalty(actions: &[Token]) -> f32 {
    let mut total = 0.0;
    for (t, &token) in actions.iter().enumerate() {
        let previous = t.checked_sub(1).map(|p| actions[p]);
        let penalty = if token == Token::Eos && t < 2 {
            -1.0
        } else if let Some(prev) = previous {
            let widths = token.width().is_some() && prev.width().is_some();
            let activations = token.activation().is_some() && prev.activation().is_some();
            if widths || activations { -0.1 } else { 0.0 }
        } else {
            0.0
        };
        total += penalty;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SearchConfig;

    fn actions(text: &str) -> Vec<Token> {
        text.split_whitespace()
            .map(|t| match t {
                "EOS" => Token::Eos,
                "S" => Token::Sigmoid,
                "T" => Token::Tanh,
                "R" => Token::Relu,
                "L" => Token::LeakyRelu,
                "1" => Token::W1,
                "2" => Token::W2,
                "4" => Token::W4,
                "8" => Token::W8,
                _ => Token::W16,
            })
            .collect()
    }

    /// Each rule by hand.
    #[test]
    fn the_shaping_penalties_by_hand() {
        let p = |text| shaping_penalty(&actions(text));
        assert_eq!(p("EOS"), -1.0, "EOS first");
        assert_eq!(p("8 EOS"), -1.0, "EOS second");
        assert_eq!(
            p("T EOS"),
            -1.0,
            "EOS second, after an activation: one penalty only"
        );
        assert_eq!(p("8 T EOS"), 0.0, "EOS third is free");
        assert_eq!(p("8 16"), -0.1, "two widths");
        assert_eq!(p("8 16 4"), -0.2, "two pairs of widths");
        assert_eq!(p("T R"), -0.1, "two activations");
        assert_eq!(p("8 T 16 R"), 0.0, "alternating");
        assert_eq!(
            p("8 T R EOS"),
            -0.1,
            "EOS after an activation is not a pair"
        );
        assert_eq!(p("8 T 16 R 4 L"), 0.0, "six tokens, no EOS drawn");
        assert_eq!(p(""), 0.0);
    }

    #[test]
    fn names_round_trip_and_defaults_are_piconas() {
        for c in ControllerInput::ALL {
            assert_eq!(ControllerInput::from_name(c.name()), Some(c));
        }
        assert_eq!(DevAccuracy::NAMES, ["exact", "batch-mean"]);
        assert_eq!(
            DevAccuracy::from_name("batch-mean"),
            Some(DevAccuracy::BatchMean)
        );
        assert_eq!(Shaping::from_name("some"), None);
        let o = crate::settings::original(SearchConfig::DEFAULT);
        assert_eq!(o.controller.input, ControllerInput::Zeros);
        assert_eq!(o.controller.baseline_decay, None);
        assert_eq!(o.shaping, Shaping::Original);
        assert_eq!(
            (o.finalists, o.folds, o.retrains),
            (1, 1, 1),
            "the single best reward"
        );
        // The rules piconas added since (issue 26) are the original's too under the preset.
        assert_eq!(o.child.best_epoch, BestEpoch::Accuracy);
        assert_eq!((o.child.min_steps, o.reward_folds), (0, 1));
        assert_eq!(o.strategy, crate::config::Strategy::Reinforce);
        assert_eq!(o.selection, crate::config::Selection::Best);
        assert_eq!(SearchConfig::DEFAULT.child.reward_epoch, RewardEpoch::Best);
        assert_eq!(std::format!("{}", StepLoss::Mean), "mean");
    }
}
