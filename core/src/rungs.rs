//! Successive halving of the children's training rows (Jamieson & Talwalkar 2016; Hyperband's
//! inner loop, Li et al. 2018), in rungs: a child first learns from the first rows of the train
//! split ([`crate::config::RungPlan`]) and is scored on the whole dev split; only if that score
//! clears the rung's bar does it learn again, from scratch, from η times as many rows, and so on
//! up to the whole split. Its reward is its score on the highest rung it reached
//! ([`crate::search::evaluate`]).
//!
//! **The bars.** A rung's bar is the score of the top 1/η of the last [`RUNG_WINDOW`] scores on
//! that rung ([`Ladder::bars`]), among the rollouts at least [`RUNG_LAG`] + 1 before the one it
//! judges. The lag makes a rollout's bars a function of records every schedule has reported
//! when it trains the child (the speculating pipeline trains at most [`RUNG_LAG`] rollouts
//! ahead of the oldest unreported one, and a batch holds fewer), so one thread, several, a
//! page's workers and a resumed run give the same records. Until a rung has seen
//! [`RUNG_WINDOW`] scores, every child climbs past it.
//!
//! **What the controller sees.** The reward of a child stopped low is its score there, learnt
//! from fewer rows: lower than it would have earned on all of them, which is the point (it lost
//! to the recent children on equal terms), and the controller learns from it as from any other.

use crate::checkpoint::{Reader, Writer};
use crate::config::MAX_RUNGS;
use crate::train::Climb;

/// Scores a rung's bar is read from: the last this many on that rung.
pub const RUNG_WINDOW: usize = 30;

/// Rollouts between a score and the bars it sets: rollout `i`'s bars read rollouts up to
/// `i − RUNG_LAG − 1`. The most a pipeline guesses ahead ([`crate::speculate::MAX_WINDOW`]).
pub const RUNG_LAG: u32 = 16;

/// Scores kept a rung: the window, and the newer ones a rollout's bars skip (the lag's, and
/// its own when its bars are read again after its report).
const KEPT: usize = RUNG_WINDOW + RUNG_LAG as usize + 1;

/// The bars of one rollout: the score its child needs on each rung to go on to the next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bars([u32; MAX_RUNGS - 1]);

impl Bars {
    /// No bar anywhere (0): every child climbs every rung.
    pub const NONE: Bars = Bars([0; MAX_RUNGS - 1]);

    /// The score needed on rung `r` to go on (0 beyond the last bar).
    pub fn bar(&self, r: usize) -> f32 {
        self.0.get(r).map_or(0.0, |&b| f32::from_bits(b))
    }

    /// The bars' bits, rung by rung (to send a job elsewhere, say to a page's helper).
    pub fn to_bits(self) -> [u32; MAX_RUNGS - 1] {
        self.0
    }

    /// The bars of [`Bars::to_bits`]'s bits (missing rungs: no bar; extra ones ignored).
    pub fn from_bits(bits: &[u32]) -> Bars {
        let mut bars = Bars::NONE;
        for (b, &v) in bars.0.iter_mut().zip(bits) {
            *b = v;
        }
        bars
    }
}

/// The recent scores of every rung below the top, in rollout order: where the bars come from.
/// All-zero bytes are an empty ladder.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ladder {
    /// A ring a rung: `(rollout, score)`, the newest at `(pushed − 1) % KEPT`.
    kept: [[(u32, f32); KEPT]; MAX_RUNGS - 1],
    /// Scores ever pushed on each rung.
    pushed: [u32; MAX_RUNGS - 1],
}

impl Ladder {
    /// No scores yet.
    pub const EMPTY: Ladder = Ladder {
        kept: [[(0, 0.0); KEPT]; MAX_RUNGS - 1],
        pushed: [0; MAX_RUNGS - 1],
    };

    /// Bytes a checkpoint holds of a ladder.
    pub const SAVED_LEN: usize = (MAX_RUNGS - 1) * (4 + 8 * KEPT);

    /// Takes rollout `index`'s climb: its score on every rung it reached (the top's is kept
    /// too, and never read: no bar leaves it). Rollouts must come in order.
    pub fn record(&mut self, index: u32, climb: &Climb) {
        let reached = usize::from(climb.rungs).min(MAX_RUNGS - 1);
        for r in 0..reached {
            let at = self.pushed[r] as usize % KEPT;
            self.kept[r][at] = (index, climb.scores[r]);
            self.pushed[r] = self.pushed[r].wrapping_add(1);
        }
    }

    /// Rollout `index`'s bars with η = `eta`: on each rung, the ⌈W/η⌉-th best of the last
    /// W = [`RUNG_WINDOW`] scores of rollouts up to `index − RUNG_LAG − 1`; 0 (every child
    /// goes on) while a rung has fewer.
    pub fn bars(&self, index: u32, eta: u32) -> Bars {
        let mut bars = Bars::NONE;
        for (r, bar) in bars.0.iter_mut().enumerate() {
            let mut window = [0.0f32; RUNG_WINDOW];
            let mut n = 0;
            let pushed = self.pushed[r] as usize;
            // Newest first, skipping the rollouts too recent for `index`.
            for back in 1..=pushed.min(KEPT) {
                let (i, score) = self.kept[r][(pushed - back) % KEPT];
                if u64::from(i) + u64::from(RUNG_LAG) < u64::from(index) {
                    window[n] = score;
                    n += 1;
                    if n == RUNG_WINDOW {
                        break;
                    }
                }
            }
            if n < RUNG_WINDOW {
                continue;
            }
            window.sort_unstable_by(|a, b| b.total_cmp(a));
            let top = RUNG_WINDOW.div_ceil(eta.max(1) as usize);
            *bar = window[top - 1].to_bits();
        }
        bars
    }

    /// Writes the ladder (for a checkpoint).
    pub(crate) fn save(&self, w: &mut Writer<'_>) {
        for r in 0..MAX_RUNGS - 1 {
            w.u32(self.pushed[r]);
            for &(i, score) in &self.kept[r] {
                w.u32(i);
                w.f32(score);
            }
        }
    }

    /// Reads what [`Ladder::save`] wrote (any bytes are a ladder: its bars are only ever
    /// scores it holds, or 0).
    pub(crate) fn read(r: &mut Reader<'_>) -> Ladder {
        let mut ladder = Ladder::EMPTY;
        for rung in 0..MAX_RUNGS - 1 {
            ladder.pushed[rung] = r.u32();
            for slot in &mut ladder.kept[rung] {
                *slot = (r.u32(), r.f32());
            }
        }
        ladder
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn climbed(scores: &[f32]) -> Climb {
        let mut c = Climb::NONE;
        c.scores[..scores.len()].copy_from_slice(scores);
        c.rungs = scores.len() as u8;
        c
    }

    #[test]
    fn a_bar_is_the_top_third_of_the_last_window_sixteen_rollouts_back() {
        let mut ladder = Ladder::EMPTY;
        // Rollout i scores i / 100 on rung 0; every third climbs to rung 1 and scores 0.5.
        let record = |ladder: &mut Ladder, i: u32| {
            let s = i as f32 / 100.0;
            if i.is_multiple_of(3) {
                ladder.record(i, &climbed(&[s, 0.5]));
            } else {
                ladder.record(i, &climbed(&[s]));
            }
        };
        // Once rollout 45 is reported (a pipeline may train 46 to 61 then): rollout 46 reads
        // rollouts 0 to 29, and the 10th best of 0.00 … 0.29 is 0.20; rung 1 has 10 scores,
        // too few for a bar; rollout 45 reads 29 scores, no bar yet.
        for i in 0..46 {
            record(&mut ladder, i);
        }
        let bars = ladder.bars(46, 3);
        assert_eq!((bars.bar(0), bars.bar(1)), (0.20, 0.0));
        assert_eq!(ladder.bars(45, 3), Bars::NONE);
        assert_eq!(ladder.bars(61, 3).bar(0), 0.35);
        for i in 46..100 {
            record(&mut ladder, i);
        }
        // Rollout 100 reads 54 to 83 (the newest 16 are too recent): 74 is the 10th best;
        // η = 2 takes the 15th, 69.
        assert_eq!(ladder.bars(100, 3).bar(0), 0.74);
        assert_eq!(ladder.bars(100, 2).bar(0), 0.69);
        // Rung 1 (rollouts 0, 3, …, 99, all 0.5): by rollout 117 thirty are old enough.
        assert_eq!(ladder.bars(117, 3).bar(1), 0.5);
        // Only the rungs below the sixth are kept; the top's scores are never a bar.
        let mut tall = Ladder::EMPTY;
        tall.record(0, &climbed(&[0.1; MAX_RUNGS]));
        assert!(tall.pushed.iter().all(|&p| p == 1));
    }

    #[test]
    fn a_rollouts_bars_are_the_same_before_and_after_its_report() {
        // A page trains a reported best again with its bars: the ring must still hold them
        // (the window, the lag, and the rollout itself).
        let mut ladder = Ladder::EMPTY;
        for i in 0..120u32 {
            let before = ladder.bars(i, 3);
            ladder.record(i, &climbed(&[(i % 17) as f32 / 17.0]));
            assert_eq!(ladder.bars(i, 3), before, "rollout {i}");
        }
        // Bars cross a page's message as their bits.
        let bars = ladder.bars(120, 3);
        assert_ne!(bars, Bars::NONE);
        assert_eq!(Bars::from_bits(&bars.to_bits()), bars);
        assert_eq!(Bars::from_bits(&[]), Bars::NONE);
    }

    #[test]
    fn a_ladder_reads_back_what_it_saved() {
        let mut ladder = Ladder::EMPTY;
        for i in 0..80u32 {
            ladder.record(i, &climbed(&[i as f32 / 80.0, 0.25, 0.125]));
        }
        let mut buf = [0u8; Ladder::SAVED_LEN];
        let mut w = Writer::new(&mut buf);
        ladder.save(&mut w);
        assert_eq!(w.written(), Ladder::SAVED_LEN);
        let back = Ladder::read(&mut Reader::new(&buf));
        assert_eq!(back, ladder);
        assert_eq!(back.bars(80, 3), ladder.bars(80, 3));
    }
}
