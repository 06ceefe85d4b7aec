//! Guessing the next rollouts' architectures, so that a host with idle cores can train their
//! children before the controller samples them.
//!
//! With one rollout per update (the original's setting) each controller step waits for its
//! child, so a second core has nothing to do. But a child's outcome depends only on its
//! architecture and its rollout's random stream ([`Search::child_rng`]), never on the
//! controller. So while rollout `i`'s child trains, another core can train a *guess* for
//! rollout `i + 1` with `i + 1`'s stream. If the controller then samples that architecture,
//! the outcome is already there, bit for bit what training it then would give; if not, the
//! guess is dropped and the child trained as usual. The records are the same either way, by
//! construction; only the time depends on how often guesses hit.
//!
//! [`Speculator::guess`] fills the guesses for the next rollouts with one of three
//! [`Guess`]es (the host measures each one's hit rate with [`Speculator::hits_next`]):
//! - [`Guess::Draws`]: what the controller would sample next with its own upcoming random
//!   numbers if it did not learn in between ([`Search::upcoming`]). A guess misses only where
//!   the updates in between move a token's cumulative probability across the number drawn;
//!   for random search it never misses.
//! - [`Guess::Greedy`]: the controller's most likely sequence (greedy decoding).
//! - [`Guess::Recent`]: the most frequent architecture of the last [`RECENT`] proposals.
//!
//! [`Pipeline`] is the schedule every front end shares: it proposes, hands each free worker
//! its next [`Job`] (the awaited child first, then the guesses), takes the workers' outcomes
//! in any order, and reports the awaited rollout once its child is trained. The host drives it
//! with threads (`src/pipeline.rs`), the page with web workers; neither decides anything.
//!
//! ```text
//!  free worker ──► next_job ──► (train) ──► finished ──► report ──► record
//!                     │  proposes when nothing is awaited; the awaited child first,
//!                     └─ then the guesses for the next `window` rollouts
//! ```

use crate::arch::Arch;
use crate::policy::Trajectory;
use crate::search::{Proposal, Record, Search, SearchError};
use crate::train::Outcome;

/// Proposals [`Guess::Recent`] looks back over.
pub const RECENT: usize = 32;

/// How to guess the next rollouts' architectures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Guess {
    /// The controller's next samples from its own upcoming random numbers.
    Draws,
    /// The controller's greedy sequence.
    Greedy,
    /// The most frequent recent architecture.
    Recent,
}

impl Guess {
    /// Every guess, in the order of their names.
    pub const ALL: [Guess; 3] = [Guess::Draws, Guess::Greedy, Guess::Recent];

    /// The guess's name on the command line and in reports.
    pub const fn name(self) -> &'static str {
        match self {
            Guess::Draws => "draws",
            Guess::Greedy => "greedy",
            Guess::Recent => "recent",
        }
    }

    /// The guess called `name`.
    pub fn from_name(name: &str) -> Option<Guess> {
        Guess::ALL.into_iter().find(|g| g.name() == name)
    }
}

/// Makes guesses for a search: a scratch trajectory for the controller's passes and the
/// architectures proposed lately. Feed it every proposal with [`Speculator::observe`].
#[derive(Clone, Debug)]
pub struct Speculator<const H: usize> {
    scratch: Trajectory<H>,
    recent: [Arch; RECENT],
    seen: usize,
}

impl<const H: usize> Default for Speculator<H> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const H: usize> Speculator<H> {
    /// A speculator that has seen no proposal.
    pub const fn new() -> Self {
        Self {
            scratch: Trajectory::EMPTY,
            recent: [Arch::EMPTY; RECENT],
            seen: 0,
        }
    }

    /// Notes a proposal's architecture (every proposal, in order).
    pub fn observe(&mut self, arch: Arch) {
        self.recent[self.seen % RECENT] = arch;
        self.seen += 1;
    }

    /// Fills `out` with `guess`'s architectures for the search's next proposals (fewer near
    /// the end of the search; returns how many).
    pub fn guess<const K: usize>(
        &mut self,
        guess: Guess,
        search: &Search<H, K>,
        out: &mut [Arch],
    ) -> usize {
        let n = out.len().min(search.unproposed() as usize);
        let one = match guess {
            Guess::Draws => return search.upcoming(&mut self.scratch, &mut out[..n]),
            Guess::Greedy => search.policy().greedy(&mut self.scratch).0,
            Guess::Recent => match self.most_frequent() {
                Some(arch) => arch,
                None => return 0,
            },
        };
        out[..n].fill(one);
        n
    }

    /// Whether `guess` for the search's next proposal would be `next` (to measure guesses
    /// against each other on one run).
    pub fn hits_next<const K: usize>(
        &mut self,
        guess: Guess,
        search: &Search<H, K>,
        next: Arch,
    ) -> bool {
        let mut one = [Arch::EMPTY];
        self.guess(guess, search, &mut one) == 1 && one[0] == next
    }

    /// The most frequent of the last [`RECENT`] proposals (the latest of equally frequent
    /// ones), or `None` before the first.
    fn most_frequent(&self) -> Option<Arch> {
        let recent = &self.recent[..self.seen.min(RECENT)];
        let count = |a: &Arch| recent.iter().filter(|b| *b == a).count();
        // Newest first, so that a tie goes to the latest.
        let newest_first = (0..recent.len()).map(|k| recent[(self.seen - 1 - k) % RECENT]);
        newest_first
            .fold(None, |best: Option<(Arch, usize)>, a| {
                let c = count(&a);
                match best {
                    Some((_, b)) if b >= c => best,
                    _ => Some((a, c)),
                }
            })
            .map(|(a, _)| a)
    }
}

/// A child to train: rollout `index`'s, of architecture `arch`, with its rollout's random
/// streams and bars ([`crate::search::evaluate`]): a proposal, or a guess of one.
pub type Job = Proposal;

/// How a [`Pipeline`]'s speculation went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Children trained on a guess (handed out as one).
    pub guessed: u64,
    /// Rollouts whose child was trained on a guess.
    pub hits: u64,
    /// Rollouts reported.
    pub rollouts: u64,
}

/// Most rollouts a [`Pipeline`] guesses ahead: the rungs' lag, so that every child it hands
/// out has its bars ([`crate::rungs`]).
pub const MAX_WINDOW: usize = crate::rungs::RUNG_LAG as usize;

/// How far a [`Pipeline`] with `workers` workers guesses ahead on a search of `config` over
/// `data`: as many rollouts as workers, which keeps each busy when children cost alike. With
/// rungs ([`crate::rungs`]) a child that climbs costs tens of ones that stop low, and while one
/// worker trains it the others would soon run out of guesses: then as far as the bars allow
/// ([`MAX_WINDOW`]).
pub fn window(config: &crate::SearchConfig, data: &crate::Split<'_>, workers: usize) -> usize {
    if config.rung_plan(data.train.len(), data.dev.len()).count > 1 {
        MAX_WINDOW
    } else {
        workers.clamp(1, MAX_WINDOW)
    }
}

/// Most jobs a [`Pipeline`] tracks at once: handed out and not yet finished, or finished and
/// not yet reported.
pub const MAX_JOBS: usize = 4 * MAX_WINDOW;

/// A job handed out, and its outcome once a worker finished it.
#[derive(Clone, Copy, Debug)]
struct Entry {
    job: Job,
    guessed: bool,
    outcome: Option<Outcome>,
}

/// The schedule of a search with one rollout per update on several workers (see the module
/// docs). Every record is the one [`Search::step`] would give: an outcome depends only on its
/// job, whoever trains it and whenever.
#[derive(Clone, Debug)]
pub struct Pipeline<const H: usize> {
    speculator: Speculator<H>,
    guess: Guess,
    window: usize,
    /// The proposal whose outcome the search awaits.
    awaited: Option<Proposal>,
    /// Guesses for the rollouts after it.
    ahead: [Arch; MAX_WINDOW],
    guesses: usize,
    jobs: heapless::Vec<Entry, MAX_JOBS>,
    stats: Stats,
}

impl<const H: usize> Pipeline<H> {
    /// A pipeline guessing with `guess` up to `window` rollouts ahead (1 to [`MAX_WINDOW`];
    /// as many as there are workers is enough).
    pub fn new(guess: Guess, window: usize) -> Self {
        Self {
            speculator: Speculator::new(),
            guess,
            window: window.clamp(1, MAX_WINDOW),
            awaited: None,
            ahead: [Arch::EMPTY; MAX_WINDOW],
            guesses: 0,
            jobs: heapless::Vec::new(),
            stats: Stats::default(),
        }
    }

    /// How the speculation went so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Whether a proposal awaits its outcome.
    pub fn is_awaiting(&self) -> bool {
        self.awaited.is_some()
    }

    /// Proposes the next rollout unless one is awaited; returns whether one is awaited now
    /// (`false`: the search has proposed every rollout, or is idle). A front end that
    /// checkpoints does so before this, while nothing is awaited.
    pub fn advance<const K: usize>(&mut self, search: &mut Search<H, K>) -> bool {
        if self.awaited.is_some() {
            return true;
        }
        let Some(proposal) = search.propose() else {
            return false;
        };
        self.speculator.observe(proposal.arch);
        self.guesses = self
            .speculator
            .guess(self.guess, search, &mut self.ahead[..self.window]);
        // Outcomes of earlier rollouts can no longer be used.
        self.jobs
            .retain(|e| e.job.index >= proposal.index || e.outcome.is_none());
        self.awaited = Some(proposal);
        true
    }

    /// The next job for a free worker (proposing first if nothing is awaited): the awaited
    /// child if nobody trains it, else the first guess for a rollout nobody trains yet;
    /// `None` if there is nothing to hand out now.
    pub fn next_job<const K: usize>(&mut self, search: &mut Search<H, K>) -> Option<Job> {
        if !self.advance(search) || self.jobs.is_full() {
            return None;
        }
        let p = self.awaited?;
        let awaited = p;
        let (job, guessed) = if self.jobs.iter().any(|e| e.job == awaited) {
            let mut next = (1..)
                .zip(&self.ahead[..self.guesses])
                .map(|(d, &arch)| Job {
                    index: p.index + d,
                    arch,
                    bars: search.bars(p.index + d),
                });
            (
                next.find(|j| !self.jobs.iter().any(|e| e.job.index == j.index))?,
                true,
            )
        } else {
            (awaited, false)
        };
        let entry = Entry {
            job,
            guessed,
            outcome: None,
        };
        self.jobs.push(entry).ok()?;
        self.stats.guessed += u64::from(guessed);
        Some(job)
    }

    /// The awaited rollout's job (`None` if nothing is awaited).
    pub fn awaited(&self) -> Option<Job> {
        self.awaited
    }

    /// A worker trained `job` (handed out by [`Pipeline::next_job`], or the awaited job,
    /// which the caller may train itself) to `outcome`.
    pub fn finished(&mut self, job: Job, outcome: Outcome) {
        let before = self.awaited.map_or(0, |p| p.index);
        if job.index < before {
            // A guess for a rollout already reported otherwise.
            self.jobs.retain(|e| e.job != job);
        } else if let Some(e) = self.jobs.iter_mut().find(|e| e.job == job) {
            e.outcome = Some(outcome);
        } else if self.awaited() == Some(job) {
            let entry = Entry {
                job,
                guessed: false,
                outcome: Some(outcome),
            };
            // Full only if the caller ignored every job handed out; it then waits for them.
            let _ = self.jobs.push(entry);
        }
    }

    /// Reports the awaited rollout to `search` if its child is trained: its record; `None`
    /// if nothing is awaited or its child is not trained yet.
    pub fn report<const K: usize>(
        &mut self,
        search: &mut Search<H, K>,
    ) -> Option<Result<Record, SearchError>> {
        let p = self.awaited?;
        let at = self
            .jobs
            .iter()
            .position(|e| e.job.index == p.index && e.job.arch == p.arch && e.outcome.is_some())?;
        let entry = self.jobs.swap_remove(at);
        let outcome = entry.outcome?;
        self.awaited = None;
        self.stats.rollouts += 1;
        self.stats.hits += u64::from(entry.guessed);
        Some(search.report(p.index, outcome))
    }
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;
    use crate::config::{SearchConfig, Strategy};
    use crate::datasets;
    use crate::sample::Split;
    use crate::{DataConfig, Search};

    fn arch(s: &str) -> Arch {
        s.parse().unwrap()
    }

    fn moons() -> (Vec<f32>, Vec<u8>) {
        let config = DataConfig {
            samples: 200,
            ..DataConfig::default()
        };
        let (mut x, mut y) = (vec![0.0; 400], vec![0; 200]);
        datasets::generate_config(&config, &mut x, &mut y).unwrap();
        (x, y)
    }

    fn search(strategy: Strategy, rollouts: u32) -> Box<Search<16>> {
        let config = SearchConfig {
            rollouts,
            strategy,
            ..SearchConfig::default()
        };
        Box::new(Search::new(config).unwrap())
    }

    #[test]
    fn names_round_trip() {
        for g in Guess::ALL {
            assert_eq!(Guess::from_name(g.name()), Some(g));
        }
        assert_eq!(Guess::from_name("mode"), None);
    }

    #[test]
    fn the_most_frequent_recent_architecture_ties_to_the_latest() {
        let mut s = Speculator::<16>::new();
        let search = search(Strategy::Reinforce, 100);
        let mut out = [Arch::EMPTY; 3];
        assert_eq!(s.guess(Guess::Recent, &search, &mut out), 0, "nothing seen");
        for a in ["[4]", "[8]", "[4]", "[16]", "[8]"] {
            s.observe(arch(a));
        }
        assert_eq!(s.guess(Guess::Recent, &search, &mut out), 3);
        assert_eq!(
            out,
            [arch("[8]"); 3],
            "[4] and [8] twice each; [8] is the latest"
        );
        // The window forgets: RECENT proposals of [2] outnumber everything before.
        for _ in 0..RECENT - 1 {
            s.observe(arch("[2]"));
        }
        s.observe(arch("[16]"));
        s.guess(Guess::Recent, &search, &mut out);
        assert_eq!(out[0], arch("[2]"));
        assert_eq!(s.recent.iter().filter(|a| **a == arch("[8]")).count(), 0);
    }

    #[test]
    fn greedy_guesses_the_controllers_greedy_sequence() {
        let mut s = Speculator::<16>::new();
        let search = search(Strategy::Reinforce, 100);
        let mut traj = Trajectory::<16>::EMPTY;
        let greedy = search.policy().greedy(&mut traj).0;
        let mut out = [Arch::EMPTY; 2];
        assert_eq!(s.guess(Guess::Greedy, &search, &mut out), 2);
        assert_eq!(out, [greedy; 2]);
    }

    /// The draws are the proposals themselves while the controller does not change: every
    /// one for random search, and for the controller those of its first batch.
    #[test]
    fn draws_are_the_next_proposals_until_the_controller_learns() {
        let (x, y) = moons();
        let rows = crate::Rows::new(&x, &y, crate::Shape::MOONS).unwrap();
        let split = Split::new(rows).unwrap();
        for strategy in [Strategy::Random, Strategy::Reinforce] {
            let mut config = SearchConfig {
                rollouts: 6,
                strategy,
                ..SearchConfig::default()
            };
            config.child.max_epochs = 2;
            config.controller.rollouts_per_update = 3;
            let mut search: Box<Search<16, 3>> = Box::new(Search::new(config).unwrap());
            let mut s = Speculator::<16>::new();
            let mut ahead = [Arch::EMPTY; 8];
            assert_eq!(
                s.guess(Guess::Draws, &search, &mut ahead),
                6,
                "only 6 rollouts"
            );
            let batch: Vec<Arch> = core::iter::from_fn(|| search.propose())
                .map(|p| p.arch)
                .collect();
            assert_eq!(
                batch,
                ahead[..3],
                "{strategy:?}: one policy draws the whole batch"
            );
            let distinct = |a: &[Arch]| a.iter().any(|b| *b != a[0]);
            assert!(
                distinct(&ahead[..6]),
                "draws, not one architecture repeated"
            );
            for i in 0..3 {
                let outcome = Outcome {
                    reward: 0.25 * i as f32,
                    epochs: 1,
                    best_epoch: 1,
                    diverged: false,
                    climb: crate::train::Climb::NONE,
                };
                search.report(i, outcome).unwrap();
            }
            let rest: Vec<Arch> = core::iter::from_fn(|| search.step(&split))
                .map(|r| r.arch)
                .collect();
            assert_eq!(rest.len(), 3);
            if strategy == Strategy::Random {
                assert_eq!(rest, ahead[3..6], "random search is guessed exactly");
            }
            assert_eq!(
                s.guess(Guess::Draws, &search, &mut ahead),
                0,
                "all proposed"
            );
        }
    }

    #[test]
    fn hits_next_compares_one_guess() {
        let mut s = Speculator::<16>::new();
        let mut search = search(Strategy::Random, 3);
        let mut out = [Arch::EMPTY];
        s.guess(Guess::Draws, &search, &mut out);
        assert!(s.hits_next(Guess::Draws, &search, out[0]));
        let other = if out[0] == arch("[4]") { "[8]" } else { "[4]" };
        assert!(!s.hits_next(Guess::Draws, &search, arch(other)));
        search.propose().unwrap();
        assert_eq!(search.unproposed(), 2);
    }
    /// Workers that finish in a scrambled order: the pipeline's records are `step`'s, for
    /// every guess and window.
    #[test]
    fn a_pipeline_reports_what_step_would_whatever_the_order() {
        let mut config = SearchConfig {
            rollouts: 40,
            ..SearchConfig::default()
        };
        config.child.max_epochs = 3;
        pipelines_report_what_step_would(config);
    }

    #[test]
    fn a_pipeline_guesses_one_rollout_a_worker_ahead_and_as_far_as_it_may_with_rungs() {
        let (x, y) = moons();
        let rows = crate::Rows::new(&x, &y, crate::Shape::MOONS).unwrap();
        let split = Split::new(rows).unwrap();
        let plain = SearchConfig::default();
        assert_eq!(window(&plain, &split, 2), 2);
        assert_eq!(window(&plain, &split, 0), 1);
        assert_eq!(window(&plain, &split, 99), MAX_WINDOW);
        let rungs = SearchConfig {
            rungs: crate::config::Rungs::Three,
            reward_folds: 1,
            ..plain
        };
        assert_eq!(window(&rungs, &split, 2), MAX_WINDOW);
    }

    /// The same with rungs, long enough for the bars to stop children (the first are set for
    /// rollout 17, 16 back), on the moons' 140 train rows: rungs of 15, 46 and 140 (scored on
    /// the dev split: rungs need it).
    #[test]
    fn a_pipeline_with_rungs_reports_what_step_would_whatever_the_order() {
        let mut config = SearchConfig {
            rollouts: 90,
            rungs: crate::config::Rungs::Three,
            reward_folds: 1,
            ..SearchConfig::default()
        };
        config.child.max_epochs = 3;
        let records = pipelines_report_what_step_would(config);
        let stopped = records.iter().filter(|r| r.rungs < 3).count();
        assert!(
            records[..17].iter().all(|r| r.rungs == 3) && stopped >= 20,
            "{stopped} stopped below the top"
        );
    }

    /// Checks `config`'s search through pipelines of every guess and window against `step`;
    /// returns `step`'s records.
    fn pipelines_report_what_step_would(config: SearchConfig) -> Vec<Record> {
        use crate::rng::{self, Stream};
        use crate::search::evaluate;
        use crate::train::Trainer;

        let (x, y) = moons();
        let rows = crate::Rows::new(&x, &y, crate::Shape::MOONS).unwrap();
        let split = Split::new(rows).unwrap();
        let mut plain: Box<Search<16>> = Box::new(Search::new(config).unwrap());
        let expected: Vec<Record> = core::iter::from_fn(|| plain.step(&split)).collect();
        let mut trainer = Box::new(Trainer::new());
        for (guess, workers) in [
            (Guess::Draws, 2),
            (Guess::Draws, 4),
            (Guess::Greedy, 3),
            (Guess::Recent, 2),
        ] {
            let mut search: Box<Search<16>> = Box::new(Search::new(config).unwrap());
            let mut pipeline = Pipeline::<16>::new(guess, workers);
            let mut order = rng::stream(7, Stream::Child, workers as u64);
            let mut busy: Vec<Job> = Vec::new();
            let mut records = Vec::new();
            loop {
                while busy.len() < workers {
                    match pipeline.next_job(&mut search) {
                        Some(job) => busy.push(job),
                        None => break,
                    }
                }
                if let Some(record) = pipeline.report(&mut search) {
                    records.push(record.unwrap());
                    continue;
                }
                if busy.is_empty() {
                    break;
                }
                // Any worker may finish first.
                let job = busy.swap_remove(rng::below(&mut order, busy.len() as u32) as usize);
                let outcome = evaluate(&config, job, &split, |fold, rng| {
                    trainer.fit(&job.arch, &config.child, fold, rng)
                });
                pipeline.finished(job, outcome);
            }
            assert_eq!(records, expected, "{guess:?} on {workers} workers");
            assert!(search.is_done() && !pipeline.is_awaiting());
            let stats = pipeline.stats();
            let n = u64::from(config.rollouts);
            assert_eq!(stats.rollouts, n);
            assert!(stats.hits <= stats.guessed && stats.hits <= n);
            if guess == Guess::Draws {
                assert!(stats.hits >= n / 4, "the draws hit: {stats:?}");
            }
        }
        expected
    }

    #[test]
    fn a_pipeline_hands_out_the_awaited_child_first_then_guesses_once_each() {
        let mut search = search(Strategy::Random, 10);
        let mut pipeline = Pipeline::<16>::new(Guess::Draws, 3);
        assert!(!pipeline.is_awaiting());
        let mut ahead = [Arch::EMPTY; 5];
        Speculator::<16>::new().guess(Guess::Draws, &search, &mut ahead);
        let jobs: Vec<Job> = core::iter::from_fn(|| pipeline.next_job(&mut search)).collect();
        // Rollout 0 itself, then guesses for 1, 2 and 3 (random search: exactly its draws).
        let job = |i: u32| Job {
            index: i,
            arch: ahead[i as usize],
            bars: crate::rungs::Bars::NONE,
        };
        assert_eq!(jobs, [job(0), job(1), job(2), job(3)]);
        assert!(pipeline.is_awaiting());
        assert!(
            pipeline.report(&mut search).is_none(),
            "nothing trained yet"
        );
        let outcome = |reward| Outcome {
            reward,
            epochs: 1,
            best_epoch: 1,
            diverged: false,
            climb: crate::train::Climb::NONE,
        };
        // Rollout 1's guess finishes first: kept until 1 is awaited.
        pipeline.finished(jobs[1], outcome(0.5));
        assert!(pipeline.report(&mut search).is_none(), "rollout 0 first");
        pipeline.finished(jobs[0], outcome(0.25));
        let r0 = pipeline.report(&mut search).unwrap().unwrap();
        assert_eq!((r0.index, r0.reward), (0, 0.25));
        assert!(
            !pipeline.is_awaiting(),
            "nothing proposed before it is asked for"
        );
        // The next job proposes rollout 1 (trained: a hit) and hands out the guess for 4.
        assert_eq!(pipeline.next_job(&mut search), Some(job(4)));
        // A guess for a rollout already reported comes back: dropped, the rest kept (2, 3
        // and 4 are still being trained, so there is nothing new to hand out).
        let stale = Job {
            index: 0,
            arch: "[16, 16]".parse().unwrap(),
            bars: crate::rungs::Bars::NONE,
        };
        pipeline.finished(stale, outcome(0.125));
        assert_eq!(pipeline.next_job(&mut search), None);
        let r1 = pipeline.report(&mut search).unwrap().unwrap();
        assert_eq!((r1.index, r1.reward), (1, 0.5));
        let stats = pipeline.stats();
        assert_eq!((stats.guessed, stats.hits, stats.rollouts), (4, 1, 2));
        // A caller may train the awaited child itself, without handing it out.
        let mut search = self::search(Strategy::Reinforce, 3);
        let mut pipeline = Pipeline::<16>::new(Guess::Greedy, 2);
        assert_eq!(pipeline.awaited(), None);
        assert!(pipeline.advance(&mut search));
        let job = pipeline.awaited().unwrap();
        assert_eq!(job.index, 0);
        pipeline.finished(Job { index: 1, ..job }, outcome(0.5));
        assert!(
            pipeline.report(&mut search).is_none(),
            "not the awaited job"
        );
        pipeline.finished(job, outcome(0.75));
        let r = pipeline.report(&mut search).unwrap().unwrap();
        assert_eq!((r.index, r.arch, r.reward), (0, job.arch, 0.75));
        assert_eq!(pipeline.stats().hits, 0);
    }
}
