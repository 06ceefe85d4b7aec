//! Search strategies run against a table of the whole space ([`crate::space_table`]): each
//! child's reward is looked up instead of trained, so a search of thousands of rollouts takes
//! a fraction of a second and a strategy can be judged over hundreds of seeds.
//!
//! ## The rules
//! - A proposal's outcome is a row of the table: its architecture's [`canonical`] member's,
//!   child seed `j` of the row's `s` drawn by the search's own child stream of that rollout
//!   (`rng::stream(seed, Child, index)`: the stream the child would have trained with). The
//!   search then reports it as it reports a trained child (cost penalty and all).
//! - The **incumbent** after rollout `t` is the architecture with the best reward observed so
//!   far (the first on a tie); its **quality** is its mean reward in the table.
//! - **Regret** after rollout `t` is the table's best mean minus the incumbent's: 0 when the
//!   search has found the best architecture there is.
//! - The incumbent's **rank** is 1 + the architectures with a better mean; the **top 1 %**
//!   are the architectures whose mean is at least the table's 99th percentile.
//!
//! The finalists' retrain (what ships) is not a table lookup and is left out: this measures
//! the search, not the final training.

use std::collections::HashMap;

use piconas_core::rng::{self, Stream};
use piconas_core::space::canonical;
use piconas_core::{Arch, Outcome, Search, SearchConfig, WithHidden};

use crate::session::K;
use crate::space_table::{Row, Table};

/// A complete table of the whole space, ready to answer a search's proposals.
pub struct Lookup<'a> {
    rows: HashMap<u32, &'a Row>,
    /// Every row's mean, sorted best first.
    means: Vec<f32>,
}

impl<'a> Lookup<'a> {
    /// `table`'s rows by architecture; an error unless it is the whole space, complete (a
    /// search may propose any sequence).
    pub fn new(table: &'a Table) -> Result<Lookup<'a>, String> {
        let h = table.header;
        if h.max_tokens as usize != piconas_core::MAX_TOKENS
            || h.shard.count != 1
            || !table.is_complete()
        {
            return Err(format!(
                "not a complete table of the whole space (sequences of at most {} tokens, shard {}/{}, {} rows): a search may propose any architecture",
                h.max_tokens,
                h.shard.index,
                h.shard.count,
                table.rows.len()
            ));
        }
        let rows: HashMap<u32, &Row> = table.rows.iter().map(|r| (r.number, r)).collect();
        let mut means: Vec<f32> = table.rows.iter().map(Row::mean).collect();
        means.sort_by(|a, b| b.total_cmp(a));
        Ok(Lookup { rows, means })
    }

    /// The best mean reward there is.
    pub fn best(&self) -> f32 {
        self.means.first().copied().unwrap_or(0.0)
    }

    /// The mean reward of `arch` (its canonical member's row).
    pub fn mean(&self, arch: &Arch) -> f32 {
        self.row(arch).map_or(0.0, Row::mean)
    }

    /// The rank of a mean reward: 1 + how many architectures are better.
    pub fn rank(&self, mean: f32) -> usize {
        1 + self.means.partition_point(|&m| m > mean)
    }

    /// The least mean of the top 1 % (the 99th percentile of the means).
    pub fn top_percent(&self) -> f32 {
        let n = self.means.len();
        self.means[(n / 100).min(n.saturating_sub(1))]
    }

    fn row(&self, arch: &Arch) -> Option<&Row> {
        self.rows.get(&canonical(arch).number()).copied()
    }

    /// The outcome of rollout `index` of a search of seed `seed` proposing `arch` (see the
    /// module's rules).
    pub fn outcome(&self, arch: &Arch, seed: u64, index: u32) -> Option<Outcome> {
        let row = self.row(arch)?;
        let mut stream = rng::stream(seed, Stream::Child, u64::from(index));
        let j = rng::below(&mut stream, row.outcomes.len() as u32);
        row.outcomes.get(j as usize).copied()
    }
}

/// One search run against a table: after each rollout, its incumbent's mean reward.
pub struct Trace {
    /// The incumbent's mean reward after each rollout.
    pub quality: Vec<f32>,
    /// The incumbent at the end.
    pub incumbent: Arch,
}

/// Runs the search of `config` against `lookup` (see the module's rules).
pub fn run(
    config: SearchConfig,
    hidden: piconas_core::Hidden,
    lookup: &Lookup<'_>,
) -> Result<Trace, String> {
    hidden.dispatch(Run { config, lookup })
}

struct Run<'a, 'b> {
    config: SearchConfig,
    lookup: &'a Lookup<'b>,
}

impl WithHidden for Run<'_, '_> {
    type Output = Result<Trace, String>;

    fn call<const H: usize>(self) -> Self::Output {
        let mut search: Box<Search<H, K>> = Box::new(Search::idle());
        search.start(self.config).map_err(|e| e.to_string())?;
        let seed = self.config.seed;
        let mut quality = Vec::with_capacity(self.config.rollouts as usize);
        let mut best: Option<(f32, Arch)> = None;
        loop {
            let mut batch = Vec::new();
            while let Some(p) = search.propose() {
                batch.push(p);
            }
            if batch.is_empty() {
                break;
            }
            for p in batch {
                let outcome = self.lookup.outcome(&p.arch, seed, p.index).ok_or_else(|| {
                    format!("rollout {}: {} is not in the table", p.index, p.arch)
                })?;
                let record = search
                    .report(p.index, outcome)
                    .map_err(|e| format!("rollout {}: {e}", p.index))?;
                if best.is_none_or(|(b, _)| record.reward > b) {
                    best = Some((record.reward, record.arch));
                }
                let incumbent = best.map_or(record.arch, |(_, a)| a);
                quality.push(self.lookup.mean(&incumbent));
            }
        }
        Ok(Trace {
            quality,
            incumbent: best.map_or(Arch::EMPTY, |(_, a)| a),
        })
    }
}

/// The `q`-quantile (0 to 1) of `values` (sorted in place), by linear interpolation.
pub fn quantile(values: &mut [f32], q: f32) -> f32 {
    if values.is_empty() {
        return f32::NAN;
    }
    values.sort_by(f32::total_cmp);
    let at = q.clamp(0.0, 1.0) * (values.len() - 1) as f32;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    values[lo] + (values[hi] - values[lo]) * (at - lo as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space_table::{Header, Shard};
    use piconas_core::{Fingerprint, Strategy};

    /// A whole-space table whose rewards are made up: more units, more reward, and two child
    /// seeds apart by 0.01.
    fn table() -> Table {
        let header = Header {
            seeds: 2,
            max_tokens: piconas_core::MAX_TOKENS as u32,
            shard: Shard::WHOLE,
            settings: 1,
            data: Fingerprint(2),
        };
        let rows = header
            .archs()
            .map(|a| {
                let units: usize = a.tokens().iter().filter_map(|t| t.width()).sum();
                let reward = 0.5 + 0.45 * units as f32 / 96.0;
                let o = |r: f32| Outcome {
                    reward: r,
                    epochs: 3,
                    best_epoch: 2,
                    diverged: false,
                };
                Row {
                    number: a.number(),
                    outcomes: vec![o(reward), o(reward + 0.01)],
                }
            })
            .collect();
        Table { header, rows }
    }

    fn config(strategy: Strategy, seed: u64) -> SearchConfig {
        SearchConfig {
            rollouts: 300,
            strategy,
            seed,
            ..SearchConfig::DEFAULT
        }
    }

    #[test]
    fn a_search_against_the_table_is_deterministic_and_ends_at_its_incumbent() {
        let table = table();
        let lookup = Lookup::new(&table).unwrap();
        assert!((lookup.best() - 0.955).abs() < 1e-6);
        assert_eq!(lookup.rank(lookup.best()), 1);
        assert_eq!(lookup.rank(2.0), 1);
        assert!(lookup.rank(0.0) > 1000);
        assert!(lookup.top_percent() <= lookup.best());
        for strategy in Strategy::ALL {
            let a = run(config(strategy, 3), piconas_core::Hidden::DEFAULT, &lookup).unwrap();
            let b = run(config(strategy, 3), piconas_core::Hidden::DEFAULT, &lookup).unwrap();
            assert_eq!(a.quality, b.quality);
            assert_eq!(a.quality.len(), 300);
            assert_eq!(*a.quality.last().unwrap(), lookup.mean(&a.incumbent));
            let c = run(config(strategy, 4), piconas_core::Hidden::DEFAULT, &lookup).unwrap();
            assert_ne!(
                a.quality, c.quality,
                "{strategy:?}: another seed, another search"
            );
        }
    }

    #[test]
    fn the_outcome_is_a_seed_of_the_row_drawn_by_the_childs_stream() {
        let table = table();
        let lookup = Lookup::new(&table).unwrap();
        let arch: Arch = "[16, ReLU, ReLU]".parse().unwrap();
        let merged: Arch = "[16, ReLU]".parse().unwrap();
        let (mut low, mut high) = (0, 0);
        for index in 0..200 {
            let o = lookup.outcome(&arch, 9, index).unwrap();
            assert_eq!(Some(o), lookup.outcome(&merged, 9, index));
            let mut s = rng::stream(9, Stream::Child, u64::from(index));
            let j = rng::below(&mut s, 2) as usize;
            let row = &table
                .rows
                .iter()
                .find(|r| r.number == merged.number())
                .unwrap();
            assert_eq!(o, row.outcomes[j]);
            if j == 0 { low += 1 } else { high += 1 }
        }
        assert!(low > 50 && high > 50, "{low} {high}");
        assert!((lookup.mean(&arch) - (0.5 + 0.45 / 6.0 + 0.005)).abs() < 1e-6);
    }

    #[test]
    fn only_a_complete_table_of_the_whole_space_answers() {
        let mut t = table();
        t.rows.pop();
        let refused = Lookup::new(&t).err().unwrap();
        assert!(refused.contains("not a complete table"), "{refused}");
        let mut small = table();
        small.header.max_tokens = 2;
        assert!(Lookup::new(&small).is_err());
    }

    #[test]
    fn quantiles_interpolate() {
        let mut v = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(quantile(&mut v, 0.5), 2.5);
        assert_eq!(quantile(&mut v, 0.0), 1.0);
        assert_eq!(quantile(&mut v, 1.0), 4.0);
        assert_eq!(quantile(&mut v, 0.25), 1.75);
        assert!(quantile(&mut [], 0.5).is_nan());
    }
}
