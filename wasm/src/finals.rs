//! The page's finish on its helper workers: the finalists' folds (or retrains) and the
//! winner's tested folds, trained by the helpers that trained the search's children.
//!
//! The search's worker asks [`Nas::final_tasks`] for the runs the finish needs next (the host's
//! `final_runs::Replay`: one architecture's runs at a time, since the winner depends on the
//! finalists' scores), posts them to its helpers, which run [`Nas::train_final`] on their own
//! handles and post the outcome and the network back into [`Nas::final_done`]; when no task is
//! left, [`Nas::finish`] ends the search from what came back. A run's outcome depends only on
//! the run, so the report and the saved network are the one-worker finish's bit for bit
//! (tests/wasm checks it).

use piconas::final_runs::{self, FinalJob, FinalRun};
use piconas_core::{Arch, Climb, Network, Outcome};
use wasm_bindgen::prelude::*;

use crate::{Nas, js_error, split_of};

/// A run of the finish for a helper: fold (or retrain) `run` of `arch`, tested or not.
#[wasm_bindgen(getter_with_clone)]
#[derive(Clone, Debug)]
pub struct FinalTask {
    /// The architecture, e.g. `[16, ReLU]`.
    pub arch: String,
    /// The fold (with cross-validation) or retrain.
    pub run: u32,
    /// Whether its test accuracy is measured.
    pub tested: bool,
}

/// What training a [`FinalTask`] gave.
#[wasm_bindgen(getter_with_clone)]
#[derive(Clone, Debug)]
pub struct FinalOutcome {
    /// The held-out (or dev) accuracy.
    pub reward: f32,
    /// Epochs trained.
    pub epochs: u32,
    /// The epoch whose weights were kept.
    #[wasm_bindgen(js_name = bestEpoch)]
    pub best_epoch: u32,
    /// Whether training diverged.
    pub diverged: bool,
    /// The test accuracy (0 unless tested).
    pub test: f32,
    /// The network's weights.
    pub weights: Vec<f32>,
}

/// The job a task names; an `Error` for an architecture that does not parse.
fn job(arch: &str, run: u32, tested: bool) -> Result<FinalJob, JsValue> {
    let arch: Arch = arch
        .parse()
        .map_err(|e| js_error(&format!("final run {run}: {e}")))?;
    Ok(FinalJob { arch, run, tested })
}

impl Nas {
    /// Ends a finish whose runs came back from helpers: any run still missing (a helper that
    /// never answered) is trained here first. `None` if the search has no replay.
    pub(crate) fn finish_replayed(&mut self) -> Option<piconas::session::Finished> {
        let mut replay = self.replay.take()?;
        let split = split_of(&self.data);
        let config = self.session.config();
        loop {
            if let Some(finished) = self
                .session
                .finish_replayed(&self.data, &split, &mut replay)
            {
                return Some(finished);
            }
            // The play that came back incomplete left the runs it wants in the replay.
            for job in replay.wanted().to_vec() {
                let run = final_runs::train(&config, &split, job, &mut self.trainer);
                replay.add(job, run);
            }
        }
    }
}

#[wasm_bindgen]
impl Nas {
    /// The finish's runs to train next (empty when [`Nas::finish`] has all it needs): post
    /// each to a helper, and its outcome to [`Nas::final_done`]; then ask again.
    #[wasm_bindgen(js_name = finalTasks)]
    pub fn final_tasks(&mut self) -> Vec<FinalTask> {
        let replay = self.replay.get_or_insert_with(Box::default);
        self.session
            .final_jobs(replay)
            .into_iter()
            .map(|j| FinalTask {
                arch: j.arch.to_string(),
                run: j.run,
                tested: j.tested,
            })
            .collect()
    }

    /// Trains a finishing run here (what a helper does with the runs it is posted).
    #[wasm_bindgen(js_name = trainFinal)]
    pub fn train_final(
        &mut self,
        arch: &str,
        run: u32,
        tested: bool,
    ) -> Result<FinalOutcome, JsValue> {
        let job = job(arch, run, tested)?;
        let config = self.session.config();
        let trained = final_runs::train(&config, &split_of(&self.data), job, &mut self.trainer);
        let o = trained.outcome;
        Ok(FinalOutcome {
            reward: o.reward,
            epochs: o.epochs,
            best_epoch: o.best_epoch,
            diverged: o.diverged,
            test: trained.test,
            weights: trained.network.weights().to_vec(),
        })
    }

    /// A helper's outcome for the run `arch`, `run`, `tested`: its [`FinalOutcome`]'s
    /// fields. An `Error` if the weights do not fit the architecture.
    #[wasm_bindgen(js_name = finalDone)]
    #[allow(clippy::too_many_arguments)] // the fields a helper's message carries, flat
    pub fn final_done(
        &mut self,
        arch: &str,
        run: u32,
        tested: bool,
        reward: f32,
        epochs: u32,
        best_epoch: u32,
        diverged: bool,
        test: f32,
        weights: Vec<f32>,
    ) -> Result<(), JsValue> {
        let job = job(arch, run, tested)?;
        let network = Network::new(job.arch, self.data.shape, &weights)
            .map_err(|e| js_error(&format!("final run {run} of {arch}: {e}")))?;
        let outcome = Outcome {
            reward,
            epochs,
            best_epoch,
            diverged,
            climb: Climb::NONE,
        };
        let run = FinalRun {
            outcome,
            test,
            network,
        };
        self.replay.get_or_insert_with(Box::default).add(job, run);
        Ok(())
    }
}
