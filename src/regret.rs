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

/// A complete table, ready to answer a search's proposals and to rank what it finds.
pub struct Lookup {
    rows: HashMap<u32, Row>,
    /// Every row's mean, sorted best first.
    means: Vec<f32>,
    /// The best row's architecture (the lowest number on a tie).
    best: Arch,
    /// What the table was made with.
    header: crate::space_table::Header,
}

impl Lookup {
    /// `table`'s rows by architecture; an error unless it is the whole space, complete (a
    /// search may propose any sequence).
    pub fn new(table: Table) -> Result<Lookup, String> {
        if table.header.max_tokens as usize != piconas_core::MAX_TOKENS {
            return Err(format!(
                "a table of sequences of at most {} tokens, not the whole space: a search may propose any architecture",
                table.header.max_tokens
            ));
        }
        Lookup::complete(table)
    }

    /// `table`'s rows by architecture; an error unless it is complete and whole (every
    /// architecture of its sequences' length, not a shard). Its best is the best of its
    /// sequences: of the whole space only if it holds every length.
    pub fn complete(table: Table) -> Result<Lookup, String> {
        let h = table.header;
        if h.shard.count != 1 || !table.is_complete() {
            return Err(format!(
                "not a complete table (shard {}/{}, {} of its rows): finish it, or join its shards first",
                h.shard.index,
                h.shard.count,
                table.rows.len()
            ));
        }
        let mut means: Vec<f32> = table.rows.iter().map(Row::mean).collect();
        means.sort_by(|a, b| b.total_cmp(a));
        let best = table
            .rows
            .iter()
            .fold(None::<&Row>, |b, r| match b {
                Some(b) if b.mean() >= r.mean() => Some(b),
                _ => Some(r),
            })
            .map_or(Arch::EMPTY, Row::arch);
        let rows = table.rows.into_iter().map(|r| (r.number, r)).collect();
        Ok(Lookup {
            rows,
            means,
            best,
            header: h,
        })
    }

    /// What the table was made with.
    pub fn header(&self) -> crate::space_table::Header {
        self.header
    }

    /// The architectures it holds.
    pub fn len(&self) -> usize {
        self.means.len()
    }

    /// Whether it holds none (never: every table holds `[]`).
    pub fn is_empty(&self) -> bool {
        self.means.is_empty()
    }

    /// The architecture of the best mean reward (the lowest number on a tie).
    pub fn best_arch(&self) -> Arch {
        self.best
    }

    /// The best mean reward there is.
    pub fn best(&self) -> f32 {
        self.means.first().copied().unwrap_or(0.0)
    }

    /// The mean reward of `arch` (its canonical member's row; 0 if the table does not hold
    /// it).
    pub fn mean(&self, arch: &Arch) -> f32 {
        self.row(arch).map_or(0.0, Row::mean)
    }

    /// Whether the table holds `arch` (its canonical member).
    pub fn holds(&self, arch: &Arch) -> bool {
        self.row(arch).is_some()
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
        self.rows.get(&canonical(arch).number())
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
    lookup: &Lookup,
) -> Result<Trace, String> {
    hidden.dispatch(Run { config, lookup })
}

struct Run<'a> {
    config: SearchConfig,
    lookup: &'a Lookup,
}

impl WithHidden for Run<'_> {
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
