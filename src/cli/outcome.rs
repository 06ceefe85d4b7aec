//! What a finished search concluded: the winner's report, the rollouts' rewards, every
//! architecture seen. [`Outcome::summary`] is `summary.json`; [`Outcome::text`] is the summary
//! printed at the end of a run. Both are pure functions of the outcome, tested here against
//! hand-computed values; the run directory's writing and the process contract stay in
//! `run.rs` and `tests/cli.rs`.

use piconas_core::config::Selection;
use piconas_core::frontier::Seen;
use piconas_core::search::Report;
use piconas_core::target::OverBudget;
use piconas_core::{Arch, Cost, SearchConfig, Strategy};

use crate::output::Summary;
use piconas::history::{first_mean, last_mean};
pub use piconas::metrics::{Metrics, pct};

/// The original PyTorch experiment's test accuracy after 5000 rollouts.
pub const ORIGINAL_TEST_ACC: f32 = 0.91;
/// Rollouts in the "recent mean reward" windows.
pub const WINDOW: usize = 100;
/// The top-10 list counts architectures sampled at least this often: a mean of one or two noisy
/// rewards would rank luck, as the best single reward does.
pub const TOP_MIN_SAMPLES: u32 = 3;
/// How many points of the accuracy/size frontier the printed summary shows, at most.
const FRONTIER_SHOWN: usize = 8;

/// Everything the end of a run reports.
pub struct Outcome {
    pub config: SearchConfig,
    /// The finalists' retraining and the winner.
    pub report: Report,
    /// Every rollout's reward, in order.
    pub rewards: Vec<f32>,
    /// Every distinct architecture sampled, with the frontier marked (see
    /// `piconas_core::frontier::mark`), in the order `mark` leaves them.
    pub seen: Vec<Seen>,
    /// The controller's greedy choice and its probability (`None` for random search).
    pub likely: Option<(Arch, f32)>,
    /// The saved network's validation and test accuracy (the ensemble of the winner's fold
    /// models, or its best retrain).
    pub saved: (f32, f32),
    /// The saved network's members.
    pub members: usize,
    /// The folds each rollout's child was scored over (1: the dev split).
    pub reward_folds: u32,
    /// The Bayes ceiling on the test split, for generated data.
    pub bayes: Option<f32>,
    /// The generated data set (`None` for a file): the original's figure applies to the moons.
    pub dataset: Option<piconas_core::Dataset>,
    /// Input features.
    pub features: usize,
    /// Whether they were standardised, and which were constant on the train split.
    pub standardized: bool,
    pub constant: Vec<String>,
    /// The saved network on the test split.
    pub metrics: Metrics,
    /// The saved network as a float and as an int8 C header.
    pub deploy: piconas::deploy::Deploy,
    /// Wall time of the run, seconds.
    pub seconds: f64,
    /// Rollouts answered from `--cache`, when it was on.
    pub cache_hits: Option<u64>,
    /// How the speculative pipeline went, when it ran.
    pub speculation: Option<crate::pipeline::Speculation>,
    /// The instruction set that trained the children.
    pub kernel: &'static str,
    /// The run directory, as given.
    pub out: String,
}

impl Outcome {
    /// `summary.json`.
    pub fn summary(&self) -> Summary {
        Summary {
            rollouts: self.config.rollouts,
            seed: self.config.seed,
            seconds: self.seconds,
            best_arch: self.report.winner.to_string(),
            best_dev_acc: self.report.dev_mean,
            test_acc: self.saved.1,
            members: self.members,
            reward_folds: self.reward_folds,
            test_acc_mean: self.report.test_mean,
            test_acc_min: self.report.test_min,
            test_acc_max: self.report.test_max,
            bayes_test_acc: self.bayes,
            mean_reward_first_100: first_mean(&self.rewards, WINDOW),
            mean_reward_last_100: last_mean(&self.rewards, WINDOW),
            features: self.features,
            classes: self.metrics.classes.clone(),
            confusion_matrix: self.metrics.confusion.clone(),
            per_class_recall: self.metrics.recall(),
            balanced_accuracy: self.metrics.balanced_accuracy(),
            standardized: self.standardized,
            constant_features: self.constant.clone(),
            deploy: self.deploy,
        }
    }

    /// The ten architectures with the best mean reward among those sampled at least
    /// [`TOP_MIN_SAMPLES`] times: `(arch, mean reward, samples)`, best first; ties go to the
    /// more often sampled, then to the architecture's name.
    pub fn top(&self) -> Vec<(Arch, f64, u32)> {
        let mut top: Vec<(Arch, f64, u32)> = self
            .seen
            .iter()
            .filter(|s| s.samples >= TOP_MIN_SAMPLES)
            .map(|s| (s.arch, s.mean_reward(), s.samples))
            .collect();
        top.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(b.2.cmp(&a.2))
                .then(a.0.to_string().cmp(&b.0.to_string()))
        });
        top.truncate(10);
        top
    }

    /// The frontier's points the summary shows: all of them up to [`FRONTIER_SHOWN`], else
    /// that many spread evenly from its cheapest to its most accurate end (both included).
    pub fn frontier_shown(&self) -> Vec<&Seen> {
        let on: Vec<&Seen> = self.seen.iter().filter(|p| p.frontier).collect();
        let shown = on.len().min(FRONTIER_SHOWN);
        (0..shown)
            .map(|k| {
                on[if shown > 1 {
                    k * (on.len() - 1) / (shown - 1)
                } else {
                    0
                }]
            })
            .collect()
    }

    /// The printed lines on the architectures seen: the top list, then the frontier.
    fn architectures_text(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let top = self.top();
        if !top.is_empty() {
            lines.push(format!(
                "top architectures   by mean reward, sampled at least {TOP_MIN_SAMPLES} times:"
            ));
            for (arch, mean_reward, n) in &top {
                lines.push(format!("  {:>6.2} %  ×{n:<5} {arch}", 100.0 * mean_reward));
            }
        }
        lines.push(format!(
            "accuracy/size       {} architectures on the frontier of {} seen (frontier.csv, frontier.svg):",
            self.seen.iter().filter(|p| p.frontier).count(),
            self.seen.len()
        ));
        for p in self.frontier_shown() {
            lines.push(format!(
                "  {:>6.2} %  {:>5} MACs {:>5} params  {}",
                100.0 * p.mean_accuracy(),
                p.cost(Cost::Macs, self.config.shape),
                p.cost(Cost::Params, self.config.shape),
                p.arch
            ));
        }
        lines
    }

    /// How the winner was chosen and how it did on the test split.
    fn selection_text(&self) -> Vec<String> {
        let r = &self.report;
        let rule = match self.config.selection {
            Selection::OneSe => "the smallest within one standard error of the best",
            Selection::Best => "the best",
        };
        if r.folds >= 2 {
            vec![
                format!(
                    "validation accuracy {} ({}-fold cross-validation on train + dev; {} finalists compared, {rule})",
                    pct(r.dev_mean),
                    r.folds,
                    r.finalists.len()
                ),
                format!(
                    "test accuracy       {} (the ensemble of the winner's {} fold models, tested after the choice; one by one {} mean, {} to {})",
                    pct(self.saved.1),
                    r.folds,
                    pct(r.test_mean),
                    pct(r.test_min),
                    pct(r.test_max),
                ),
            ]
        } else {
            vec![
                format!(
                    "dev accuracy        {} (mean of {} retrains; {} finalists compared, {rule})",
                    pct(r.dev_mean),
                    r.retrains,
                    r.finalists.len()
                ),
                format!(
                    "test accuracy       {} mean, {} to {}",
                    pct(r.test_mean),
                    pct(r.test_min),
                    pct(r.test_max)
                ),
            ]
        }
    }

    /// The saved network's line.
    fn saved_text(&self) -> String {
        let r = &self.report;
        let what = if r.folds >= 2 {
            format!(
                "an ensemble of its {} fold models: validation",
                self.members
            )
        } else {
            format!("retrain {}: dev", r.winner_retrain)
        };
        format!(
            "saved network       {} ({what} {}, test {}) in network.json",
            r.winner,
            pct(self.saved.0),
            pct(self.saved.1)
        )
    }

    /// The float and int8 headers' test accuracy and bytes, on one line.
    fn deploy_text(&self) -> String {
        let (f, q) = (&self.deploy.float, &self.deploy.int8);
        format!(
            "deploy (C header)   float {} ({} B constants, {} B stack); int8 {} ({} B, {} B)",
            pct(f.test_accuracy),
            f.flash_bytes,
            f.stack_bytes,
            pct(q.test_accuracy),
            q.flash_bytes,
            q.stack_bytes
        )
    }

    /// The budget's line, under a part: the limits, what the winner costs by the part's cost
    /// model (bounds), and how many rollouts were over the budget (scored 0, untrained).
    fn budget_text(&self) -> Option<String> {
        let c = &self.config;
        let (part, limits) = c.budget.limits()?;
        let members = c.deployed_members();
        let cost = part.footprint(&self.report.winner, c.shape, members);
        let over: u32 = (self.seen.iter())
            .filter(|s| !c.fits(&s.arch))
            .map(|s| s.samples)
            .sum();
        let us = part.micros(cost.cycles_bound);
        let latency = match limits.micros {
            u32::MAX => format!("{us} µs (no deadline)"),
            most => format!("{us} of {most} µs"),
        };
        let scored = match c.budget.over {
            OverBudget::Zero => "scored 0",
            OverBudget::Filter => "trained (a plain filter)",
        };
        Some(format!(
            "budget              {} at {} MHz: winner {} of {} B flash, {} of {} B RAM, \
             {latency} by the cost model's bounds; {over} of {} rollouts over it, {scored}",
            c.budget.target,
            part.clock_hz / 1_000_000,
            cost.flash,
            limits.flash,
            cost.ram,
            limits.ram,
            c.rollouts
        ))
    }

    /// The summary printed at the end of a run.
    pub fn text(&self) -> String {
        let (r, summary) = (&self.report, self.summary());
        let mut s = String::new();
        let mut line = |text: String| {
            s.push_str(&text);
            s.push('\n');
        };
        line(format!("best architecture   {}", r.winner));
        self.selection_text().into_iter().for_each(&mut line);
        if self.reward_folds >= 2 {
            line(format!(
                "rewards             {}-fold cross-validation on train + dev, not the dev split",
                self.reward_folds
            ));
        }
        line(match self.bayes {
            Some(b) => format!("Bayes ceiling       {} on the same test split", pct(b)),
            None => "Bayes ceiling       unknown for user data".into(),
        });
        if self.dataset == Some(piconas_core::Dataset::Moons) {
            line(format!(
                "original (PyTorch)  {} test accuracy",
                pct(ORIGINAL_TEST_ACC)
            ));
        }
        if self.standardized {
            let constant = match self.constant.as_slice() {
                [] => String::new(),
                names => format!("; constant there, so only shifted: {}", names.join(", ")),
            };
            line(format!(
                "standardised        {} features, by the train split's mean and sd{constant}",
                self.features
            ));
        }
        line(format!(
            "mean reward         {} (first {WINDOW}) → {} (last {WINDOW})",
            pct(summary.mean_reward_first_100),
            pct(summary.mean_reward_last_100)
        ));
        line(format!(
            "wall time           {:.1} s ({} rollouts, {:.0}/s)",
            self.seconds,
            self.config.rollouts,
            f64::from(self.config.rollouts) / self.seconds
        ));
        if let (Strategy::Reinforce, Some((arch, p))) = (self.config.strategy, self.likely) {
            line(format!(
                "controller's choice {arch} (its most likely token at each step; probability {:.1} %)",
                100.0 * p
            ));
        }
        self.architectures_text().into_iter().for_each(&mut line);
        line(self.saved_text());
        self.metrics.text("test").into_iter().for_each(&mut line);
        line(self.deploy_text());
        if let Some(budget) = self.budget_text() {
            line(budget);
        }
        if let Some(hits) = self.cache_hits {
            line(format!(
                "cache               {hits} of {} rollouts answered from the cache",
                self.config.rollouts
            ));
        }
        if let Some(stats) = &self.speculation {
            line(format!("speculation         {}", stats.text()));
        }
        line(format!("training kernel     {}", self.kernel));
        line(format!("output              {}", self.out));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use piconas::deploy::{Deploy, Footprint};
    use piconas_core::finalists::Finalist;
    use piconas_core::search::FinalistScore;

    fn arch(s: &str) -> Arch {
        s.parse().unwrap()
    }

    /// An architecture seen `n` times with reward and accuracy `value` each time.
    fn seen(a: &str, value: f32, n: u32, frontier: bool) -> Seen {
        let mut s = Seen::new(arch(a));
        for _ in 0..n {
            s.add(value, value);
        }
        s.frontier = frontier;
        s
    }

    fn outcome(rewards: Vec<f32>, seen: Vec<Seen>) -> Outcome {
        let winner = arch("[16, Tanh]");
        let mut report = Report {
            winner,
            dev_mean: 0.97,
            folds: 1,
            test_mean: 0.965,
            test_min: 0.95,
            test_max: 0.98,
            retrains: 5,
            finalists: Default::default(),
            winner_retrain: 2,
        };
        for (a, dev) in [("[16, Tanh]", 0.97), ("[8]", 0.95)] {
            let _ = report.finalists.push(FinalistScore {
                arch: arch(a),
                seen: Finalist {
                    arch: arch(a),
                    best_reward: dev,
                    samples: 2,
                    mean_reward: dev,
                    first_rollout: 0,
                },
                dev_mean: dev,
                dev_se: 0.01,
            });
        }
        Outcome {
            config: SearchConfig {
                rollouts: rewards.len() as u32,
                seed: 3,
                ..SearchConfig::default()
            },
            report,
            rewards,
            seen,
            likely: Some((arch("[16, ReLU]"), 0.4321)),
            saved: (0.99, 0.975),
            members: 1,
            reward_folds: 1,
            bayes: Some(0.985),
            dataset: Some(piconas_core::Dataset::Moons),
            features: 2,
            standardized: false,
            constant: Vec::new(),
            metrics: Metrics::new(
                vec!["0".into(), "1".into()],
                &[0, 0, 0, 1, 1],
                &[0, 1, 0, 1, 1],
            ),
            deploy: Deploy {
                float: Footprint {
                    test_accuracy: 0.975,
                    flash_bytes: 604,
                    stack_bytes: 136,
                },
                int8: Footprint {
                    test_accuracy: 0.97,
                    flash_bytes: 692,
                    stack_bytes: 42,
                },
            },
            seconds: 2.0,
            cache_hits: None,
            speculation: None,
            kernel: "AVX2",
            out: "runs/x".into(),
        }
    }

    #[test]
    fn a_budgeted_run_states_its_limits_the_winners_bounds_and_what_was_over() {
        let mut o = outcome(
            vec![0.5; 10],
            vec![
                seen("[16, Tanh]", 0.9, 4, true),
                seen("[16, 16, 16]", 0.0, 6, false),
            ],
        );
        assert_eq!(o.budget_text(), None, "no budget line on the host");
        o.config.folds = 1;
        o.config.budget = piconas_core::target::Budget {
            target: piconas_core::target::Target::Atmega328p,
            max_flash: 2500,
            max_ram: 0,
            max_latency_us: 0,
            ..piconas_core::target::Budget::NONE
        };
        // The moons: `[16, Tanh]` within 2500 bytes, `[16, 16, 16]` over them.
        let part = o.config.budget.target.part().unwrap();
        let cost = part.footprint(&arch("[16, Tanh]"), piconas_core::Shape::MOONS, 1);
        assert!(o.config.fits(&arch("[16, Tanh]")) && !o.config.fits(&arch("[16, 16, 16]")));
        assert_eq!(
            o.budget_text().unwrap(),
            format!(
                "budget              atmega328p at 16 MHz: winner {} of 2500 B flash, {} of 2048 B \
                 RAM, {} µs (no deadline) by the cost model's bounds; 6 of 10 rollouts over it, \
                 scored 0",
                cost.flash,
                cost.ram,
                part.micros(cost.cycles_bound)
            )
        );
    }

    #[test]
    fn the_summary_means_its_first_and_last_windows() {
        // 150 rewards: 50 of 0.5 then 100 of 1. First 100: (50·0.5 + 50)/100; last 100: 1.
        let rewards: Vec<f32> = (0..150).map(|i| if i < 50 { 0.5 } else { 1.0 }).collect();
        let s = outcome(rewards, vec![]).summary();
        assert_eq!(
            (s.mean_reward_first_100, s.mean_reward_last_100),
            (0.75, 1.0)
        );
        assert_eq!((s.rollouts, s.seed, s.seconds), (150, 3, 2.0));
        assert_eq!(s.best_arch, "[16, Tanh]");
        assert_eq!((s.test_acc, s.members, s.reward_folds), (0.975, 1, 1));
        assert_eq!(
            (
                s.best_dev_acc,
                s.test_acc_mean,
                s.test_acc_min,
                s.test_acc_max
            ),
            (0.97, 0.965, 0.95, 0.98)
        );
        assert_eq!(s.bayes_test_acc, Some(0.985));
        // Fewer than 100: both windows are all of them.
        let s = outcome(vec![0.25, 0.75, 0.5], vec![]).summary();
        assert_eq!(
            (s.mean_reward_first_100, s.mean_reward_last_100),
            (0.5, 0.5)
        );
    }

    #[test]
    fn the_top_list_ranks_means_of_often_sampled_architectures() {
        let mut all = vec![
            seen("[1]", 0.99, 2, false), // too rarely sampled to rank
            seen("[2]", 0.90, 3, false),
            seen("[4]", 0.90, 5, false), // same mean, more samples: first
            seen("[8]", 0.95, 3, false),
        ];
        // Ten more at 0.5, tied on everything but the name.
        let names = [
            "[16]",
            "[Tanh]",
            "[ReLU]",
            "[1, 1]",
            "[2, 2]",
            "[4, 4]",
            "[8, 8]",
            "[Sigmoid]",
            "[LeakyReLU]",
            "[16, 16]",
        ];
        all.extend(names.iter().map(|n| seen(n, 0.5, 3, false)));
        let top = outcome(vec![0.5], all).top();
        let got: Vec<(String, u32)> = top.iter().map(|t| (t.0.to_string(), t.2)).collect();
        let mut tied: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        tied.sort();
        let mut want = vec![("[8]".to_string(), 3), ("[4]".into(), 5), ("[2]".into(), 3)];
        want.extend(tied.into_iter().take(7).map(|n| (n, 3)));
        assert_eq!(got, want);
        assert!((top[0].1 - 0.95).abs() < 1e-6);
    }

    #[test]
    fn the_printed_frontier_spreads_eight_points_over_a_long_frontier() {
        let few: Vec<Seen> = (0..3)
            .map(|i| seen("[1]", i as f32 / 10.0, 1, true))
            .collect();
        assert_eq!(outcome(vec![0.5], few).frontier_shown().len(), 3);
        // 20 frontier points (every other one on it): shown are k·19/7 for k = 0..8.
        let many: Vec<Seen> = (0..40)
            .map(|i| seen("[1]", i as f32 / 100.0, 1, i % 2 == 0))
            .collect();
        let o = outcome(vec![0.5], many);
        let shown: Vec<u32> = o
            .frontier_shown()
            .iter()
            .map(|s| (s.mean_accuracy() * 100.0).round() as u32)
            .collect();
        assert_eq!(shown, [0, 4, 10, 16, 20, 26, 32, 38]);
    }

    #[test]
    fn the_printed_summary_reads_as_documented() {
        let seen = vec![
            seen("[]", 0.84, 1, true),
            seen("[8]", 0.96, 3, true),
            seen("[16, Tanh]", 0.975, 4, true),
            seen("[2]", 0.8, 1, false),
        ];
        // [8]: 2·8 + 8·2 MACs, 2·8 + 8 + 8·2 + 2 parameters; [16, Tanh]: 2·16 + 16·2 and
        // 2·16 + 16 + 16·2 + 2; []: the output layer alone, 2·2 and 2·2 + 2.
        let mut o = outcome(vec![0.8, 0.9, 1.0, 0.9], seen);
        o.cache_hits = Some(7);
        let want = "\
best architecture   [16, Tanh]
dev accuracy        97.0 % (mean of 5 retrains; 2 finalists compared, the smallest within one standard error of the best)
test accuracy       96.5 % mean, 95.0 % to 98.0 %
Bayes ceiling       98.5 % on the same test split
original (PyTorch)  91.0 % test accuracy
mean reward         90.0 % (first 100) → 90.0 % (last 100)
wall time           2.0 s (4 rollouts, 2/s)
controller's choice [16, ReLU] (its most likely token at each step; probability 43.2 %)
top architectures   by mean reward, sampled at least 3 times:
   97.50 %  ×4     [16, Tanh]
   96.00 %  ×3     [8]
accuracy/size       3 architectures on the frontier of 4 seen (frontier.csv, frontier.svg):
   84.00 %      4 MACs     6 params  []
   96.00 %     32 MACs    42 params  [8]
   97.50 %     64 MACs    82 params  [16, Tanh]
saved network       [16, Tanh] (retrain 2: dev 99.0 %, test 97.5 %) in network.json
test confusion      true ↓ predicted →       0      1
                    0                        2      1
                    1                        0      2
test recall         0: 66.7 %, 1: 100.0 %; balanced accuracy 83.3 %
deploy (C header)   float 97.5 % (604 B constants, 136 B stack); int8 97.0 % (692 B, 42 B)
cache               7 of 4 rollouts answered from the cache
training kernel     AVX2
output              runs/x
";
        assert_eq!(o.text(), want);
        // Random search has no controller's choice; user data no known ceiling, and the
        // original's figure is for the moons only.
        o.config.strategy = Strategy::Random;
        o.bayes = None;
        o.dataset = None;
        let text = o.text();
        assert!(!text.contains("controller's choice"));
        assert!(text.contains("Bayes ceiling       unknown for user data\n"));
        assert!(!text.contains("original (PyTorch)"));
        // Cross-validated finalists, picked by their best score: the ensemble's test accuracy
        // and its members' one by one; rewards by cross-validation.
        o.report.folds = 5;
        o.members = 5;
        o.reward_folds = 3;
        o.config.selection = Selection::Best;
        let text = o.text();
        assert!(
            text.contains(
                "validation accuracy 97.0 % (5-fold cross-validation on train + dev; 2 finalists compared, the best)\n\
                 test accuracy       97.5 % (the ensemble of the winner's 5 fold models, tested after the choice; one by one 96.5 % mean, 95.0 % to 98.0 %)\n\
                 rewards             3-fold cross-validation on train + dev, not the dev split\n"
            ),
            "{text}"
        );
        assert!(text.contains(
            "saved network       [16, Tanh] (an ensemble of its 5 fold models: validation 99.0 %, test 97.5 %)"
        ));
    }

    #[test]
    fn the_metrics_count_each_class_and_skip_an_absent_one() {
        // Three classes, the last absent from the truth; one point predicted as it.
        let m = Metrics::new(
            vec!["a".into(), "b".into(), "c".into()],
            &[0, 0, 1, 1, 1, 0],
            &[0, 2, 1, 1, 0, 0],
        );
        assert_eq!(m.confusion, [[2, 0, 1], [1, 2, 0], [0, 0, 0]]);
        assert_eq!(m.recall(), [Some(2.0 / 3.0), Some(2.0 / 3.0), None]);
        assert_eq!(m.balanced_accuracy(), 2.0 / 3.0);
        assert_eq!(m.accuracy(), 4.0 / 6.0);
        let s = outcome(vec![0.5], vec![]).summary();
        assert_eq!(
            (s.features, s.classes.clone()),
            (2, vec!["0".to_string(), "1".into()])
        );
        assert_eq!(s.confusion_matrix, [[2, 1], [0, 2]]);
        assert_eq!(s.per_class_recall, [Some(2.0 / 3.0), Some(1.0)]);
        assert_eq!(s.balanced_accuracy, (2.0 / 3.0 + 1.0) / 2.0);
    }
}
