//! The main job's progress bar. Its ETA counts the training left, not the rollouts left: with
//! rungs a child that climbs to the whole split costs tens of ones stopped on the first, and
//! the finish (each finalist's folds or retrains) comes after the last rollout. The bar's unit
//! is a train row learnt from once over a child's run (its epochs aside): a rollout's child
//! costs the rows of every rung it climbed (the whole train split without rungs), a finishing
//! run the rows it learns from; indicatif's rate over the recent work turns the rows left into
//! time.
//!
//! The rollouts still to come are priced like the recent ones. With rungs the first
//! [`BARLESS`] children climb every rung (there are no bars yet); after them about 1/η of a
//! rung's children go on, so until the search has some of its own a child is priced at what
//! that ratio gives, `Σᵣ rowsᵣ / ηʳ`, and then at the mean of the last [`RECENT`].

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use piconas_core::config::RungPlan;
use piconas_core::rungs::RUNG_LAG;
use piconas_core::{Record, SearchConfig, Split};

/// Rollouts without bars at the start of a search with rungs (the core's `rungs`).
const BARLESS: u32 = RUNG_LAG + 1;

/// The rollouts whose mean cost prices those to come.
const RECENT: usize = 128;

/// What the bar counts, in train rows (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Work {
    plan: RungPlan,
    /// η of the rungs.
    eta: u64,
    /// Rows a child learns from without rungs: the train split, or with rewards by `k`-fold
    /// cross-validation `k` times `(k−1)/k` of train ∪ dev.
    child_rows: u64,
    /// Rows a finishing run learns from: the train split, or with `k` folds `(k−1)/k` of
    /// train ∪ dev.
    final_rows: u64,
    /// Rollouts asked for, and reported so far (counting those before a resume).
    rollouts: u32,
    reported: u32,
    /// The rows this session's children learnt from.
    rows: u64,
    /// The costs of the last [`RECENT`] children after the barless ones.
    recent: VecDeque<u64>,
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
            eta: u64::from(config.rung_eta.max(2)),
            child_rows,
            final_rows,
            rollouts: config.rollouts,
            reported: completed,
            rows: 0,
            recent: VecDeque::with_capacity(RECENT),
        }
    }

    /// The rows `record`'s child learnt from: each rung it climbed, or without rungs the
    /// train split (each fold's share of train ∪ dev with cross-validated rewards).
    pub(crate) fn cost(&self, record: &Record) -> u64 {
        self.climbing(usize::from(record.rungs))
    }

    /// The rows of a child that climbed `rungs` rungs (0: no rungs).
    fn climbing(&self, rungs: usize) -> u64 {
        match rungs.min(self.plan.count) {
            0 => self.child_rows,
            n => self.plan.rows[..n].iter().map(|&r| r as u64).sum(),
        }
    }

    /// Counts `record`'s child; the rows it learnt from.
    pub(crate) fn add(&mut self, record: &Record) -> u64 {
        let cost = self.cost(record);
        (self.rows, self.reported) = (self.rows + cost, self.reported + 1);
        if record.index >= BARLESS || self.plan.count == 1 {
            if self.recent.len() == RECENT {
                self.recent.pop_front();
            }
            self.recent.push_back(cost);
        }
        cost
    }

    /// What a child to come is priced at (see the module docs).
    fn future(&self) -> u64 {
        let n = self.recent.len() as u64;
        if n > 0 {
            return self.recent.iter().sum::<u64>().div_ceil(n);
        }
        if self.plan.count == 1 {
            return self.child_rows;
        }
        let mut share = 1; // ηʳ
        let mut rows = 0;
        for &r in &self.plan.rows[..self.plan.count] {
            rows += r as u64 / share;
            share *= self.eta;
        }
        rows
    }

    /// All the rows the session learns from, done and to come, with `finish_runs` finishing
    /// runs after the rollouts.
    pub(crate) fn total(&self, finish_runs: u32) -> u64 {
        let left = self.rollouts.saturating_sub(self.reported);
        let barless = match self.plan.count {
            1 => 0,
            _ => BARLESS.saturating_sub(self.reported).min(left),
        };
        let climbing = u64::from(barless) * self.climbing(self.plan.count);
        let to_come = climbing + u64::from(left - barless) * self.future();
        self.rows + to_come + u64::from(finish_runs) * self.final_rows
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

    fn record(index: u32, rungs: u8) -> Record {
        Record {
            index,
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
            rollouts: 200,
            ..SearchConfig::DEFAULT
        };
        let plan = config.rung_plan(split.train.len(), split.dev.len());
        let mut work = Work::new(&config, &split, 4);
        let rows = |n: usize| plan.rows[..n].iter().sum::<usize>() as u64;
        assert_eq!(work.cost(&record(0, 1)), rows(1));
        assert_eq!(work.cost(&record(0, 3)), rows(3));
        // Before any child: the barless rollouts left climb every rung, the rest are priced
        // by the ratio η = 3; five folds of train ∪ dev learn from four fifths of it.
        let final_rows = (split.train.len() + split.dev.len()) as u64 * 4 / 5;
        assert_eq!(work.final_rows(), final_rows);
        let by_ratio = (plan.rows[0] + plan.rows[1] / 3 + plan.rows[2] / 9) as u64;
        assert_eq!(
            work.total(2),
            13 * rows(3) + 183 * by_ratio + 2 * final_rows
        );
        // The barless children, then two of the barred ones: those price the rest.
        let mut done = 0;
        for index in 4..17 {
            done += work.add(&record(index, 3));
        }
        assert_eq!(work.total(0), done + 183 * by_ratio);
        done += work.add(&record(17, 1)) + work.add(&record(18, 2));
        assert_eq!(work.rollouts(), (19, 200));
        let mean = (rows(1) + rows(2)).div_ceil(2);
        assert_eq!(work.total(0), done + 181 * mean);
        // Only the last RECENT count.
        for index in 19..19 + RECENT as u32 {
            done += work.add(&record(index, 1));
        }
        assert_eq!(work.total(0), done + (181 - RECENT as u64) * rows(1));
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
        assert_eq!(work.add(&record(0, 0)), train);
        assert_eq!(work.final_rows(), train);
        assert_eq!(work.total(5), 3 * train + 5 * train);
        // Rewards by 3-fold cross-validation: three children of two thirds of train ∪ dev.
        let config = SearchConfig {
            reward_folds: 3,
            ..config
        };
        let work = Work::new(&config, &split, 0);
        let learn = (split.train.len() + split.dev.len()) as u64;
        assert_eq!(work.cost(&record(0, 0)), 2 * learn);
        assert_eq!(work.total(0), 3 * 2 * learn);
    }

    #[test]
    fn the_bar_shows_the_rollouts_then_ticks_through_the_finish() {
        let data = moons(1_000);
        let split = data.split().unwrap();
        let config = SearchConfig {
            rollouts: 3,
            ..SearchConfig::DEFAULT
        };
        let mut work = Work::new(&config, &split, 0);
        let bar = ProgressBar::hidden();
        let train = split.train.len() as u64;
        bar.inc(work.add(&record(0, 0)));
        show(&bar, &work, 4);
        let final_rows = work.final_rows();
        assert_eq!(bar.length(), Some(3 * train + 4 * final_rows));
        assert_eq!(bar.prefix(), "1/3");
        bar.inc(work.add(&record(1, 0)) + work.add(&record(2, 0)));
        let tick = finishing(&bar, &work, 4);
        assert_eq!(bar.length(), Some(3 * train + 4 * final_rows));
        assert_eq!(bar.prefix(), "finishing 0/4");
        tick();
        tick();
        assert_eq!(bar.position(), 3 * train + 2 * final_rows);
        assert_eq!(bar.prefix(), "finishing 2/4");
    }
}
