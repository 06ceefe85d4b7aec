//! The main job's progress bar. Its ETA counts the training left, not the rollouts left: with
//! rungs a child that climbs to the whole split costs tens of ones stopped on the first, and
//! the finish (each finalist's folds or retrains) comes after the last rollout. The bar's unit
//! is a train row learnt from once over a child's run (its epochs aside): a rollout's child
//! costs the rows of every rung it climbed (the whole train split without rungs), a finishing
//! run the rows it learns from; the rollouts still to come are counted at the mean cost of the
//! ones seen, and indicatif's rate over the recent work turns the rows left into time.

use std::sync::atomic::{AtomicU32, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use piconas_core::config::RungPlan;
use piconas_core::{Record, SearchConfig, Split};

/// What the bar counts, in train rows (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Work {
    plan: RungPlan,
    /// Rows a child learns from without rungs: the train split, or with rewards by `k`-fold
    /// cross-validation `k` times `(k−1)/k` of train ∪ dev.
    child_rows: u64,
    /// Rows a finishing run learns from: the train split, or with `k` folds `(k−1)/k` of
    /// train ∪ dev.
    final_rows: u64,
    /// Rollouts asked for, and reported so far (counting those before a resume).
    rollouts: u32,
    reported: u32,
    /// This session's children so far, and the rows they learnt from.
    children: u64,
    rows: u64,
}

impl Work {
    /// A search of `config` on `split` with `completed` rollouts behind it.
    pub(crate) fn new(config: &SearchConfig, split: &Split<'_>, completed: u32) -> Work {
        let dev = split.dev.len();
        let (train, learn) = (split.train.len() as u64, (split.train.len() + dev) as u64);
        let child_rows = match config.reward_folds_for(dev) {
            0 | 1 => train,
            k => learn * u64::from(k - 1),
        };
        let final_rows = match config.folds {
            0 | 1 => train,
            k => learn * u64::from(k - 1) / u64::from(k),
        };
        Work {
            plan: config.rung_plan(split.train.len(), dev),
            child_rows,
            final_rows,
            rollouts: config.rollouts,
            reported: completed,
            children: 0,
            rows: 0,
        }
    }

    /// The rows `record`'s child learnt from: each rung it climbed, or without rungs the
    /// train split (each fold's share of train ∪ dev with cross-validated rewards).
    pub(crate) fn cost(&self, record: &Record) -> u64 {
        let rungs = usize::from(record.rungs).min(self.plan.count);
        match rungs {
            0 => self.child_rows,
            _ => self.plan.rows[..rungs].iter().map(|&r| r as u64).sum(),
        }
    }

    /// Counts `record`'s child; the rows it learnt from.
    pub(crate) fn add(&mut self, record: &Record) -> u64 {
        let cost = self.cost(record);
        (self.children, self.rows, self.reported) =
            (self.children + 1, self.rows + cost, self.reported + 1);
        cost
    }

    /// All the rows the session learns from, done and to come, with `finish_runs` finishing
    /// runs after the rollouts: the rollouts left at the mean cost so far (before the first, a
    /// child that climbs every rung, as the first ones do).
    pub(crate) fn total(&self, finish_runs: u32) -> u64 {
        let left = u64::from(self.rollouts.saturating_sub(self.reported));
        let mean = match (self.children, self.plan.count) {
            (0, 1) => self.child_rows,
            (0, n) => self.plan.rows[..n].iter().map(|&r| r as u64).sum(),
            (n, _) => self.rows.div_ceil(n),
        };
        self.rows + left * mean + u64::from(finish_runs) * self.final_rows
    }

    /// Rows a finishing run learns from.
    pub(crate) fn final_rows(&self) -> u64 {
        self.final_rows
    }

    /// Rollouts reported, and asked for.
    pub(crate) fn rollouts(&self) -> (u32, u32) {
        (self.reported, self.rollouts)
    }
}

/// The bar of a search (hidden when `quiet`): the rollouts reported as its prefix, then the
/// finishing runs; the ETA over [`Work`]'s rows.
pub(crate) fn search_bar(quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(1);
    let style = ProgressStyle::with_template("{bar:30.cyan/blue} {prefix} ETA {eta} │ {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// The bar's state after `work`, with `finish_runs` runs to come after the rollouts.
pub(crate) fn show(bar: &ProgressBar, work: &Work, finish_runs: u32) {
    bar.set_length(work.total(finish_runs));
    let (reported, asked) = work.rollouts();
    bar.set_prefix(format!("{reported}/{asked}"));
}

/// The tick a finishing run gives as it ends, on any thread: `runs` of them in all.
pub(crate) fn finishing(bar: &ProgressBar, work: &Work, runs: u32) -> impl Fn() + Sync {
    let (bar, rows, ended) = (bar.clone(), work.final_rows(), AtomicU32::new(0));
    bar.set_length(bar.position() + u64::from(runs) * rows);
    bar.set_prefix(format!("finishing 0/{runs}"));
    bar.set_message("training the finalists again");
    move || {
        let n = ended.fetch_add(1, Ordering::Relaxed) + 1;
        bar.inc(rows);
        bar.set_prefix(format!("finishing {n}/{runs}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use piconas::data::Dataset;
    use piconas_core::DataConfig;
    use piconas_core::config::Rungs;

    fn record(rungs: u8) -> Record {
        Record {
            index: 0,
            arch: piconas_core::Arch::EMPTY,
            reward: 0.5,
            accuracy: 0.5,
            epochs: 1,
            diverged: false,
            entropy: 0.0,
            log_prob: 0.0,
            baseline: 0.5,
            beta: 0.0,
            rungs,
        }
    }

    fn moons(samples: usize) -> Dataset {
        let config = DataConfig {
            samples,
            ..DataConfig::DEFAULT
        };
        Dataset::generate(config).unwrap()
    }

    #[test]
    fn a_child_costs_the_rows_of_every_rung_it_climbed() {
        let data = moons(30_000);
        let split = data.split().unwrap();
        let config = SearchConfig {
            rungs: Rungs::Three,
            rollouts: 10,
            ..SearchConfig::DEFAULT
        };
        let plan = config.rung_plan(split.train.len(), split.dev.len());
        let mut work = Work::new(&config, &split, 4);
        let rows = |n: usize| plan.rows[..n].iter().sum::<usize>() as u64;
        assert_eq!(work.cost(&record(1)), rows(1));
        assert_eq!(work.cost(&record(3)), rows(3));
        // Before any child, the rollouts left as if each climbed every rung; five folds of
        // train ∪ dev learn from four fifths of it.
        let final_rows = (split.train.len() + split.dev.len()) as u64 * 4 / 5;
        assert_eq!(work.final_rows(), final_rows);
        assert_eq!(work.total(2), 6 * rows(3) + 2 * final_rows);
        assert_eq!(work.add(&record(1)), rows(1));
        assert_eq!(work.add(&record(2)), rows(2));
        assert_eq!(work.rollouts(), (6, 10));
        let mean = (rows(1) + rows(2)).div_ceil(2);
        assert_eq!(work.total(0), rows(1) + rows(2) + 4 * mean);
    }

    #[test]
    fn without_rungs_a_child_costs_the_train_split_and_a_retrain_too() {
        let data = moons(1_000);
        let split = data.split().unwrap();
        let config = SearchConfig {
            folds: 1,
            rollouts: 3,
            ..SearchConfig::DEFAULT
        };
        let mut work = Work::new(&config, &split, 0);
        let train = split.train.len() as u64;
        assert_eq!(work.total(5), 3 * train + 5 * train);
        assert_eq!(work.add(&record(0)), train);
        assert_eq!(work.final_rows(), train);
        assert_eq!(work.total(5), 3 * train + 5 * train);
        // Rewards by 3-fold cross-validation: three children of two thirds of train ∪ dev.
        let config = SearchConfig {
            reward_folds: 3,
            ..config
        };
        let work = Work::new(&config, &split, 0);
        let learn = (split.train.len() + split.dev.len()) as u64;
        assert_eq!(work.cost(&record(0)), 2 * learn);
    }
}
