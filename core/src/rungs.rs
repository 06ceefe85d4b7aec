//! Successive halving of the children's training rows (Jamieson & Talwalkar 2016; Hyperband's
//! inner loop, Li et al. 2018), in rungs: a child first learns from the first rows of the train
//! split ([`crate::config::RungPlan`]) and is scored on a share of the dev split; only if that
//! score clears the rung's bar does it learn again, from scratch, from η times as many rows, and
//! so on up to the whole split. Its reward is its score on the highest rung it reached
//! ([`crate::search::evaluate`]).
//!
//! **The bars.** Rung `r`'s bar is read from the last `Wᵣ = min(`[`RUNG_WINDOW`]` · ηʳ,
//! `[`RUNG_HISTORY`]`)` rollouts: the `qᵣ`-th best of their scores on rung `r`, with
//! `qᵣ = Wᵣ / ηʳ⁺¹` rounded (at least 1); a rollout that stopped below rung `r` counts as below
//! every score there. So about one child in ηʳ⁺¹ reaches rung `r + 1`, and the bar follows the
//! controller: it is always read from recent rollouts, however few of them climbed that high
//! (a window of a fixed number of *scores* on the rung would reach back ηʳ times further, and
//! on six rungs its bars stayed those of the search's first, worse children). While fewer than
//! `Wᵣ` rollouts are old enough the bar is read from those there are, and the first
//! [`RUNG_LAG`] + 1 rollouts climb every rung.
//!
//! **Determinism.** A rollout's bars read rollouts at least [`RUNG_LAG`] + 1 before it: a
//! function of records every schedule has reported when it trains the child (the speculating
//! pipeline trains at most [`RUNG_LAG`] rollouts ahead of the oldest unreported one, and a batch
//! holds fewer), so one thread, several, a page's workers and a resumed run give the same
//! records. The bars travel with the proposal ([`crate::search::Proposal`]).
//!
//! **What the controller sees.** The reward of a child stopped low is its score there, learnt
//! from fewer rows: lower than it would have earned on all of them, which is the point (it lost
//! to the recent children on equal terms), and the controller learns from it as from any other.
//!
//! **Capacity.** A ladder holds [`RUNG_HISTORY`] + [`RUNG_LAG`] + 1 rollouts' climbs, about
//! 7.6 KB; a firmware built with the `max-rungs-1` feature has no rungs and an empty ladder.

use crate::checkpoint::{Reader, Writer};
use crate::config::MAX_RUNGS;
use crate::train::Climb;

/// The fewest rollouts a bar's window holds: rung `r`'s reads `RUNG_WINDOW · ηʳ` rollouts (as
/// many as give it this many scores on that rung), up to [`RUNG_HISTORY`].
pub const RUNG_WINDOW: usize = 30;

/// The most rollouts a bar is read from.
pub const RUNG_HISTORY: usize = 256;

/// Rollouts between a score and the bars it sets: rollout `i`'s bars read rollouts up to
/// `i − RUNG_LAG − 1`. The most a pipeline guesses ahead ([`crate::speculate::MAX_WINDOW`]).
pub const RUNG_LAG: u32 = 16;

/// Rungs with a bar: all but the top.
const BARRED: usize = MAX_RUNGS - 1;

/// Climbs a ladder keeps: the history, and the newer ones a rollout's bars skip (the lag's,
/// and its own when its bars are read again after its report). None without rungs.
const KEPT: usize = if MAX_RUNGS > 1 {
    RUNG_HISTORY + RUNG_LAG as usize + 1
} else {
    0
};

/// The ring's modulus (1 for an empty ring, which is never indexed).
const RING: usize = if KEPT == 0 { 1 } else { KEPT };

/// The bars of one rollout: the score its child needs on each rung to go on to the next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bars([u32; BARRED]);

impl Bars {
    /// No bar anywhere (0): every child climbs every rung.
    pub const NONE: Bars = Bars([0; BARRED]);

    /// The score needed on rung `r` to go on (0 beyond the last bar).
    pub fn bar(&self, r: usize) -> f32 {
        self.0.get(r).map_or(0.0, |&b| f32::from_bits(b))
    }

    /// The bars' bits, rung by rung (to send a job elsewhere, say to a page's helper).
    pub fn to_bits(self) -> [u32; BARRED] {
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

/// One rollout's climb, as a ladder keeps it: the scores of the rungs below the top (the top's
/// is never a bar).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Kept {
    index: u32,
    rungs: u8,
    scores: [f32; BARRED],
}

impl Kept {
    const EMPTY: Kept = Kept {
        index: 0,
        rungs: 0,
        scores: [0.0; BARRED],
    };
}

/// The recent rollouts' climbs, in rollout order: where the bars come from. All-zero bytes
/// are an empty ladder.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ladder {
    /// A ring: the newest at `(pushed − 1) % KEPT`.
    kept: [Kept; KEPT],
    /// Climbs ever pushed.
    pushed: u32,
}

impl Ladder {
    /// No climbs yet.
    pub const EMPTY: Ladder = Ladder {
        kept: [Kept::EMPTY; KEPT],
        pushed: 0,
    };

    /// Bytes a checkpoint holds of a ladder.
    pub const SAVED_LEN: usize = 4 + KEPT * (4 + 1 + 4 * BARRED);

    /// Takes rollout `index`'s climb. Rollouts must come in order.
    pub fn record(&mut self, index: u32, climb: &Climb) {
        if KEPT == 0 {
            return;
        }
        let mut kept = Kept {
            index,
            rungs: climb.rungs,
            scores: [0.0; BARRED],
        };
        kept.scores.copy_from_slice(&climb.scores[..BARRED]);
        self.kept[self.pushed as usize % RING] = kept;
        self.pushed = self.pushed.wrapping_add(1);
    }

    /// Rollout `index`'s bars with η = `eta` (see the module's docs): on rung `r`, the
    /// `qᵣ`-th best rung-`r` score of the last `Wᵣ` rollouts up to `index − RUNG_LAG − 1`; 0
    /// (every child goes on) while fewer than `qᵣ` of them reached the rung.
    pub fn bars(&self, index: u32, eta: u32) -> Bars {
        let mut bars = Bars::NONE;
        let eta = u64::from(eta.max(2));
        let Some(newest) = u64::from(index).checked_sub(u64::from(RUNG_LAG) + 1) else {
            return bars;
        };
        let mut share = 1u64; // ηʳ
        for (r, bar) in bars.0.iter_mut().enumerate() {
            let span = (RUNG_WINDOW as u64 * share).min(RUNG_HISTORY as u64);
            share *= eta;
            let mut scores = [0.0f32; RUNG_HISTORY];
            let (mut seen, mut climbed) = (0u64, 0usize);
            // Newest first: skip the rollouts too recent for `index`, stop at the window's
            // oldest.
            for back in 1..=(self.pushed as usize).min(KEPT) {
                let kept = &self.kept[(self.pushed as usize - back) % RING];
                let i = u64::from(kept.index);
                if i > newest {
                    continue;
                }
                // (Indices come in order, one a rollout, so the window's count ends it too;
                // it also bounds `scores` for a ladder read from any bytes.)
                if i + span <= newest || seen == span {
                    break;
                }
                seen += 1;
                if usize::from(kept.rungs) > r {
                    scores[climbed] = kept.scores[r];
                    climbed += 1;
                }
            }
            // qᵣ = seen / ηʳ⁺¹, rounded half up, at least 1.
            let quota = ((2 * seen + share) / (2 * share)).max(1) as usize;
            if climbed < quota {
                continue;
            }
            let scores = &mut scores[..climbed];
            scores.sort_unstable_by(|a, b| b.total_cmp(a));
            *bar = scores[quota - 1].to_bits();
        }
        bars
    }

    /// Writes the ladder (for a checkpoint).
    pub(crate) fn save(&self, w: &mut Writer<'_>) {
        w.u32(self.pushed);
        for kept in &self.kept {
            w.u32(kept.index);
            w.u8(kept.rungs);
            for &s in &kept.scores {
                w.f32(s);
            }
        }
    }

    /// Reads what [`Ladder::save`] wrote (any bytes are a ladder: its bars are only ever
    /// scores it holds, or 0).
    pub(crate) fn read(r: &mut Reader<'_>) -> Ladder {
        let mut ladder = Ladder::EMPTY;
        ladder.pushed = r.u32();
        for kept in &mut ladder.kept {
            kept.index = r.u32();
            kept.rungs = r.u8();
            for s in &mut kept.scores {
                *s = r.f32();
            }
        }
        ladder
    }
}

// The ladder's tests need rungs: a `max-rungs-1` build has none (its own test is config's).
#[cfg(all(test, not(feature = "max-rungs-1")))]
mod tests {
    use super::*;

    fn climbed(scores: &[f32]) -> Climb {
        let mut c = Climb::NONE;
        c.scores[..scores.len()].copy_from_slice(scores);
        c.rungs = scores.len() as u8;
        c
    }

    #[test]
    fn a_bar_is_the_top_share_of_the_recent_rollouts_sixteen_back() {
        let mut ladder = Ladder::EMPTY;
        // Rollout i scores (i + 1) / 100 on rung 0; every third climbs to rung 1 and scores
        // the same there.
        let record = |ladder: &mut Ladder, i: u32| {
            let s = (i + 1) as f32 / 100.0;
            if i.is_multiple_of(3) {
                ladder.record(i, &climbed(&[s, s]));
            } else {
                ladder.record(i, &climbed(&[s]));
            }
        };
        for i in 0..100 {
            record(&mut ladder, i);
        }
        // The first 17 rollouts have no bars; rollout 18 reads rollouts 0 and 1: the best of
        // two on rung 0 (q = 2/3, at least 1), and rollout 0's alone on rung 1.
        assert_eq!(ladder.bars(16, 3), Bars::NONE);
        let early = ladder.bars(18, 3);
        assert_eq!(
            (early.bar(0), early.bar(1), early.bar(2)),
            (0.02, 0.01, 0.0)
        );
        // Rollout 100 reads up to 83. Rung 0: rollouts 54 to 83, the 10th best (0.75); η = 2
        // takes the 15th (0.70). Rung 1: 90 rollouts back, so all 84, of which 28 climbed;
        // q = 84/9 rounded = 9: the 9th best of 0.82, 0.79, … is 0.58. Rung 2: nobody climbed.
        let bars = ladder.bars(100, 3);
        assert_eq!((bars.bar(0), bars.bar(1), bars.bar(2)), (0.75, 0.58, 0.0));
        assert_eq!(ladder.bars(100, 2).bar(0), 0.70);
    }

    #[test]
    fn a_high_rungs_bar_reads_only_the_last_rung_history_rollouts() {
        // Every child climbs every rung. The first 128 scored 0.99 everywhere, the rest
        // (i + 1) / 1000: rollout 400 reads rollouts 128 to 383 on rungs 2 to 4, never the
        // stale 0.99s. q = 256/27, 256/81 and 256/243 rounded: the 9th, 3rd and best.
        let mut ladder = Ladder::EMPTY;
        for i in 0..384u32 {
            let s = if i < 128 {
                0.99
            } else {
                (i + 1) as f32 / 1000.0
            };
            ladder.record(i, &climbed(&[s; MAX_RUNGS]));
        }
        let bars = ladder.bars(400, 3);
        assert_eq!(bars.bar(2), 0.376);
        assert_eq!(bars.bar(3), 0.382);
        assert_eq!(bars.bar(4), 0.384);
        // The top rung has no bar.
        assert_eq!(bars.bar(5), 0.0);
        // Rung 0 reads 30 rollouts (354 to 383): the 10th best.
        assert_eq!(bars.bar(0), 0.375);
    }

    #[test]
    fn a_rollouts_bars_are_the_same_before_and_after_its_report() {
        // A page trains a reported best again with its bars: the ring must still hold them
        // (the history, the lag, and the rollout itself).
        let mut ladder = Ladder::EMPTY;
        for i in 0..600u32 {
            let before = ladder.bars(i, 3);
            // Scores in no order: the oldest a bar reads is sometimes among its best.
            let s = (i * 7919 % 1009) as f32 / 1009.0;
            ladder.record(i, &climbed(&[s, s, s, s, s]));
            assert_eq!(ladder.bars(i, 3), before, "rollout {i}");
        }
        // Bars cross a page's message as their bits.
        let bars = ladder.bars(600, 3);
        assert!((0..BARRED).all(|r| bars.bar(r) > 0.0));
        assert_eq!(Bars::from_bits(&bars.to_bits()), bars);
        assert_eq!(Bars::from_bits(&[]), Bars::NONE);
    }

    #[test]
    fn only_the_scores_of_rungs_reached_count_and_any_ladder_is_safe() {
        // Rollouts that stopped on rung 0 carry a stray 0.99 for rung 1: never a bar there.
        let mut ladder = Ladder::EMPTY;
        for i in 0..60u32 {
            let mut stopped = climbed(&[0.5]);
            stopped.scores[1] = 0.99;
            ladder.record(i, &stopped);
        }
        ladder.record(60, &climbed(&[0.5, 0.25]));
        // Rollout 77 reads 61 rollouts, q = 61/9 rounded = 7: one climbed, so no bar (the
        // stray scores counted would make it 0.99).
        assert_eq!(ladder.bars(77, 3).bar(1), 0.0);
        // A ladder of any bytes (say every climb claims rollout 80) gives bars, no panic.
        let mut bytes = [0u8; Ladder::SAVED_LEN];
        bytes[..4].copy_from_slice(&1000u32.to_le_bytes());
        for kept in bytes[4..].chunks_exact_mut(4 + 1 + 4 * BARRED) {
            kept[..4].copy_from_slice(&80u32.to_le_bytes());
            kept[4] = 6;
            kept[5..9].copy_from_slice(&0.5f32.to_le_bytes());
        }
        let odd = Ladder::read(&mut Reader::new(&bytes));
        assert_eq!(odd.bars(100, 3).bar(0), 0.5);
    }

    #[test]
    fn a_ladder_reads_back_what_it_saved() {
        let mut ladder = Ladder::EMPTY;
        for i in 0..300u32 {
            ladder.record(i, &climbed(&[i as f32 / 300.0, 0.25, 0.125]));
        }
        let mut buf = [0u8; Ladder::SAVED_LEN];
        let mut w = Writer::new(&mut buf);
        ladder.save(&mut w);
        assert_eq!(w.written(), Ladder::SAVED_LEN);
        let back = Ladder::read(&mut Reader::new(&buf));
        assert_eq!(back, ladder);
        assert_eq!(back.bars(300, 3), ladder.bars(300, 3));
    }
}
