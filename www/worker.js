// The search runs in a worker, off the page's thread, in slices of about 60 ms so that pause,
// step and reset messages are handled promptly. The worker owns the wasm handle; the page only
// draws what the worker posts. With helpers (one worker per core, each with its own handle on
// the same settings and data, over a MessageChannel port) and one rollout per update, the
// search's worker only proposes, learns and reports: the helpers train the children its
// pipeline hands out (wasm/src/pipeline.rs), the same records bit for bit. The same source
// runs as a helper when it is handed a port ('helper').
//
// The page loads this file as a classic script and builds the worker from a Blob (main.js,
// startWorker): wasm-bindgen's glue (`wasm_bindgen`), then `const W = { … }` made of these
// methods' source, then `W.main()`. So nothing is fetched and the page works from file:// too;
// the methods reach each other and the worker's state (`W.s`) through `W`.
/* global W, wasm_bindgen */

// eslint-disable-next-line no-unused-vars
const piconasWorker = {
  /** The worker's state: its search and the counters behind what it posts. */
  state() {
    return {
      nas: null,
      onFile: false, // whether the search is on the user's file
      paused: false,
      sent: 0, // rewards already posted
      activeMs: 0, // time spent stepping, for rollouts/s
      grid: null, // the heatmap's grid over the drawn plane
      generation: 0, // bumps on reset so a stale loop stops
      lastSave: 0,
      loaded: null, // the module's instantiation (a promise)
      helpers: [], // { port, busy } per helper worker (the search's worker)
      piped: false, // whether the search runs on the helpers
      done: false, // whether the pipelined search has finished
      finals: [], // the finish's runs of this round not yet handed out (to the helpers)
      finalsOut: 0, // the finish's runs out with the helpers
      helperRuns: 0, // the finish's runs the helpers brought back
      since: 0, // when the pipelined search last started running, for rollouts/s
      lastPost: 0,
    };
  },

  /** Starts the worker: a fresh state, and its message handler. */
  main() {
    W.s = W.state();
    onmessage = ({ data }) => W.receive(data);
  },

  /** One message from the page; a failure is posted back as an error. */
  receive(data) {
    const s = W.s;
    try {
      switch (data.type) {
        case 'init': s.loaded = W.load(data.wasm); break;
        case 'helpers': W.connect(data.ports); break;
        case 'helper': W.serve(data.port); break;
        case 'start': W.start(data.settings, null, data.data ?? null, data.table ?? null); break;
        case 'table': W.useTable(data.bytes); break;
        case 'make-table': W.makeTable(data); break;
        case 'columns': W.columns(data.name, data.bytes); break;
        case 'resume-saved': W.start(data.settings, data.saved, null, data.table ?? null); break;
        case 'pause': W.pause(); break;
        case 'resume': if (s.nas && s.paused) { s.paused = false; W.run(s.generation); } break;
        case 'step': W.step(); break;
        default: break;
      }
    } catch (e) {
      postMessage({ type: 'error', message: e.message ?? String(e) });
    }
  },

  /** The module's bytes from the page (base64), instantiated; then the settings table. */
  async load(base64) {
    try {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      await wasm_bindgen({ module_or_path: bytes });
      postMessage({ type: 'ready', table: wasm_bindgen.settingsTable(), presets: wasm_bindgen.presets() });
    } catch (e) {
      postMessage({ type: 'error', message: `could not load the wasm module: ${e.message ?? e}` });
    }
  },

  /** A data file's label choices, or the reader's message for the file field. */
  columns(name, bytes) {
    try {
      postMessage({ type: 'columns', name, columns: wasm_bindgen.csvColumns(name, bytes) });
    } catch (e) {
      postMessage({ type: 'invalid', field: e.field ?? '', message: e.message ?? String(e) });
    }
  },

  /** The plane's bounds around the drawn points (two coordinates each), with a margin. */
  bounds(points) {
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let i = 0; i < points.length; i += 2) {
      x0 = Math.min(x0, points[i]); x1 = Math.max(x1, points[i]);
      y0 = Math.min(y0, points[i + 1]); y1 = Math.max(y1, points[i + 1]);
    }
    const mx = 0.08 * (x1 - x0), my = 0.08 * (y1 - y0);
    return { x0: x0 - mx, x1: x1 + mx, y0: y0 - my, y1: y1 + my };
  },

  /** A new search on `data` ({ name, bytes, label }: the user's file), on the settings' data, or resumed. */
  open(settings, saved, data) {
    const { Nas } = wasm_bindgen;
    if (saved) {
      // A search kept before the page kept its losses has none: they read as NaN.
      return Nas.resume(settings, saved.checkpoint, saved.history, saved.bestArch ?? undefined,
        saved.bestWeights ? Float32Array.from(saved.bestWeights) : undefined,
        saved.losses ?? undefined);
    }
    if (!data) return new Nas(settings);
    // A bad file throws with `field` 'data': its message goes beside the file field.
    return Nas.withData(settings, data.name, data.bytes, data.label || undefined, false, 0n);
  },

  /**
   * A whole-space table (`space.bin`): its summary posted; used by the search if there is
   * one (checked against its data and settings), kept for the next search otherwise.
   */
  async useTable(bytes) {
    const s = W.s;
    await s.loaded;
    try {
      const info = s.nas ? s.nas.useTable(bytes) : wasm_bindgen.tableInfo(bytes);
      const summary = {
        architectures: info.architectures, seeds: info.seeds, maxTokens: info.maxTokens,
        best: info.best, bestArch: info.bestArch, topPercent: info.topPercent,
      };
      info.free();
      postMessage({ type: 'table', info: summary, used: s.nas !== null });
    } catch (e) {
      postMessage({ type: 'table-refused', message: e.message ?? String(e) });
    }
  },

  /**
   * Makes a table of the settings and data of `job` ({ settings, data, maxTokens, seeds }) on
   * a handle of its own, in slices, posting its progress; then posts its bytes.
   */
  async makeTable(job) {
    const SLICE_MS = 60;
    const s = W.s;
    await s.loaded;
    let maker;
    try {
      maker = W.open(job.settings, null, job.data);
      const total = maker.startTable(job.maxTokens, job.seeds);
      let done = 0;
      while (done < total) {
        const start = performance.now();
        while (done < total && performance.now() - start < SLICE_MS) done = maker.makeRows(1);
        postMessage({ type: 'table-progress', done, total });
        await new Promise((ok) => setTimeout(ok, 0));
      }
      const bytes = maker.tableBytes();
      postMessage({ type: 'table-made', bytes }, [bytes.buffer]);
    } catch (e) {
      postMessage({ type: 'table-refused', message: e.message ?? String(e) });
    } finally {
      maker?.free();
    }
  },

  start(settings, saved = null, data = null, table = null) {
    const GRID_X = 80; // heatmap resolution (columns); rows follow the plane's aspect ratio
    let handle;
    try {
      handle = W.open(settings, saved, data);
    } catch (e) {
      postMessage({ type: saved ? 'resume-failed' : 'invalid', field: e.field ?? '', message: e.message ?? String(e) });
      return;
    }
    W.reset();
    const s = W.s;
    const nas = handle;
    Object.assign(s, { nas, onFile: data !== null, lastSave: performance.now() });
    const points = nas.points();
    const b = W.bounds(points);
    const ny = Math.max(8, Math.round((GRID_X * (b.y1 - b.y0)) / (b.x1 - b.x0)));
    s.grid = { nx: GRID_X, ny, ...b };
    postMessage({
      type: 'started',
      points, labels: nas.labels(), split: Array.from(nas.splitSizes()),
      classes: nas.classes(), features: nas.features(), file: data?.name ?? null,
      bayes: nas.bayesTest(), rollouts: nas.progress().rollouts, grid: s.grid, settings,
      rewards: nas.rewards(0), losses: nas.losses(0),
    });
    s.sent = nas.progress().completed;
    if (table) W.useTable(table);
    s.piped = s.helpers.length > 0 && nas.speculate('draws', s.helpers.length);
    if (s.piped) {
      for (const h of s.helpers) h.port.postMessage({ type: 'open', settings, data });
    }
    W.run(s.generation);
  },

  /** The search's worker: the helpers' ports; each brings back the children it trained. */
  connect(ports) {
    W.s.helpers = ports.map((port, i) => {
      port.onmessage = ({ data }) => W.trained(i, data);
      return { port, busy: false };
    });
  },

  /** A helper: a handle on the search's settings and data ('open'), and each 'task' trained. */
  serve(port) {
    const s = W.s;
    port.onmessage = async ({ data }) => {
      await s.loaded;
      try {
        if (data.type === 'open') {
          if (s.nas) s.nas.free();
          s.nas = W.open(data.settings, null, data.data);
        } else if (data.type === 'task') {
          const o = s.nas.trainTask(data.index, data.arch, data.bars);
          const { reward, epochs, bestEpoch, diverged, scores } = o;
          o.free();
          port.postMessage({ ...data, type: 'trained', reward, epochs, bestEpoch, diverged, scores });
        } else if (data.type === 'final') {
          const o = s.nas.trainFinal(data.arch, data.run, data.tested);
          const { reward, epochs, bestEpoch, diverged, test, weights } = o;
          o.free();
          port.postMessage({ ...data, type: 'final-trained', reward, epochs, bestEpoch, diverged, test, weights },
            [weights.buffer]);
        }
      } catch (e) {
        port.postMessage({ type: 'failed', message: e.message ?? String(e) });
      }
    };
  },

  /** A helper's child: into the pipeline (unless it is from an earlier search), then a turn. */
  trained(i, m) {
    const s = W.s;
    s.helpers[i].busy = false;
    if (m.type === 'failed') {
      postMessage({ type: 'error', message: `a helper worker failed: ${m.message}` });
      return;
    }
    if (m.type === 'final-trained') {
      W.finalTrained(m);
      return;
    }
    if (s.nas && m.gen === s.generation) {
      s.nas.taskDone(m.index, m.arch, m.bars, m.reward, m.epochs, m.bestEpoch, m.diverged, m.scores);
    }
    // A child guessed ahead may come back after the last rollout: its helper takes a final run.
    if (s.done) W.handOutFinals(s.generation);
    else W.pump(s.generation);
  },

  /** The pipeline's turn: reports what is trained (saving now and then, between two
   * reports), hands each free helper its next task, and posts the progress every slice. */
  pump(gen) {
    const SLICE_MS = 60;
    const SAVE_MS = 2000;
    const s = W.s;
    if (gen !== s.generation || !s.nas || s.paused || s.done) return;
    // A free helper gets its next task first, so that it trains while this worker reports.
    W.handOut(gen);
    while (s.nas.reportReady()) {
      if (performance.now() - s.lastSave > SAVE_MS) W.save();
    }
    W.handOut(gen);
    const p = s.nas.progress();
    if (p.done) {
      s.activeMs = W.activeMs();
      s.done = true;
      W.post(p);
      W.finishOnHelpers(gen);
    } else if (performance.now() - s.lastPost > SLICE_MS) W.post(p);
  },

  /** Posts each free helper its next task (if the pipeline has one). A helper holds one
   * task: with two each (a deeper window), guesses further ahead missed more and the page ran
   * slower. */
  handOut(gen) {
    const s = W.s;
    for (const h of s.helpers) {
      if (h.busy) continue;
      const task = s.nas.nextTask();
      if (!task) return;
      h.busy = true;
      h.port.postMessage({ type: 'task', gen, index: task.index, arch: task.arch, bars: task.bars });
      task.free();
    }
  },

  /** Time spent running the search, for rollouts/s. */
  activeMs() {
    const s = W.s;
    return s.activeMs + (s.piped && !s.paused && !s.done ? performance.now() - s.since : 0);
  },

  /** Pauses; a pipelined search first reports the awaited rollout (trained here if no
   * helper has brought it back), so that it is between rollouts and can be saved. */
  pause() {
    const s = W.s;
    if (!s.nas || s.paused) { s.paused = true; return; }
    s.activeMs = W.activeMs();
    s.paused = true;
    if (s.piped && !s.done && !s.nas.progress().done) {
      const p = s.nas.step(1);
      W.post(p);
      if (p.done) { s.done = true; W.finishOnHelpers(s.generation); return; }
    }
    W.save();
  },

  /** The finish of a pipelined search on the helpers: the runs it needs next (one
   * architecture's folds or retrains; wasm/src/finals.rs), one a free helper, and when all
   * are back the next; then the search ends here from what they brought. */
  finishOnHelpers(gen) {
    const s = W.s;
    if (gen !== s.generation || !s.nas) return;
    s.finals = Array.from(s.nas.finalTasks(), (t) => {
      const task = { arch: t.arch, run: t.run, tested: t.tested };
      t.free();
      return task;
    });
    s.finalsOut = 0;
    if (s.finals.length === 0) W.finish();
    else W.handOutFinals(gen);
  },

  /** Posts each free helper the next run of the finish's round. */
  handOutFinals(gen) {
    const s = W.s;
    for (const h of s.helpers) {
      if (h.busy || s.finals.length === 0) continue;
      h.busy = true;
      s.finalsOut += 1;
      h.port.postMessage({ type: 'final', gen, ...s.finals.shift() });
    }
  },

  /** A helper's finishing run: handed in (unless it is from an earlier search); the round's
   * last brings the next round. */
  finalTrained(m) {
    const s = W.s;
    if (!s.nas || m.gen !== s.generation) return;
    s.nas.finalDone(m.arch, m.run, m.tested, m.reward, m.epochs, m.bestEpoch, m.diverged, m.test,
      m.weights);
    s.finalsOut -= 1;
    s.helperRuns += 1;
    W.handOutFinals(m.gen);
    if (s.finals.length === 0 && s.finalsOut === 0) W.finishOnHelpers(m.gen);
  },

  /** Drops the search (if any); a loop of an earlier generation stops. */
  reset() {
    const s = W.s;
    s.generation += 1;
    if (s.nas) s.nas.free();
    Object.assign(s, {
      nas: null, paused: false, sent: 0, activeMs: 0, piped: false, done: false, finals: [], finalsOut: 0,
      helperRuns: 0,
    });
  },

  /** Steps for a slice, posts the progress, and schedules the next slice (or finishes). */
  run(gen) {
    const SLICE_MS = 60;
    const SAVE_MS = 2000; // how often the page is handed a checkpoint to keep
    const s = W.s;
    if (gen !== s.generation || !s.nas || s.paused) return;
    if (s.piped) {
      s.since = performance.now();
      W.pump(gen);
      return;
    }
    const start = performance.now();
    let p;
    do {
      p = s.nas.step(1);
    } while (!p.done && performance.now() - start < SLICE_MS);
    s.activeMs += performance.now() - start;
    W.post(p);
    if (p.done) W.finish();
    else {
      if (performance.now() - s.lastSave > SAVE_MS) W.save();
      setTimeout(() => W.run(gen), 0);
    }
  },

  /** One rollout of a paused search. */
  step() {
    const s = W.s;
    if (!s.nas || !s.paused || s.nas.progress().done) return;
    const t = performance.now();
    const p = s.nas.step(1);
    s.activeMs += performance.now() - t;
    W.post(p);
    if (p.done) W.finish();
  },

  /** Posts the search's progress `p` and what the page draws of it. */
  post(p) {
    const { nas, grid } = W.s;
    const rewards = nas.rewards(W.s.sent);
    const losses = nas.losses(W.s.sent);
    W.s.sent += rewards.length;
    W.s.lastPost = performance.now();
    const t = performance.now();
    const heatmap = nas.heatmapImage(grid.nx, grid.ny, grid.x0, grid.x1, grid.y0, grid.y1) ?? null;
    const heatmapMs = performance.now() - t;
    const m = {
      type: 'progress',
      completed: p.completed,
      rollouts: p.rollouts,
      done: p.done,
      bestReward: p.bestReward,
      beta: p.beta,
      rate: W.activeMs() > 0 ? (1000 * p.completed) / W.activeMs() : 0,
      ahead: W.s.piped ? Array.from(nas.speculation()) : null,
      helpers: W.s.helpers.length,
      rewards,
      losses,
      bestArch: nas.bestArch() ?? null,
      greedyArch: nas.greedyArch(),
      policy: nas.policy(),
      heatmap,
      heatmapMs,
      frontier: nas.frontier(),
      frontierArchs: nas.frontierArchs(),
      frontierUnit: nas.frontierUnit(),
      standing: nas.standing() ?? null,
    };
    const moved = [m.rewards.buffer, m.losses.buffer, m.policy.buffer, m.frontier.buffer];
    if (m.heatmap) moved.push(m.heatmap.data.buffer);
    postMessage(m, moved);
  },

  /** Hands the page a checkpoint to keep (not between the proposals of one update). */
  save() {
    const s = W.s;
    if (s.onFile) return; // a kept search is resumed from its settings: generated data only
    const bytes = s.nas.checkpoint();
    if (!bytes) return;
    s.lastSave = performance.now();
    const weights = s.nas.bestWeights();
    const history = s.nas.history();
    const losses = s.nas.losses(0);
    postMessage({
      type: 'checkpoint', bytes, completed: s.nas.progress().completed,
      bestArch: s.nas.bestArch() ?? null, bestWeights: weights ? Array.from(weights) : null, history,
      losses,
    }, [bytes.buffer, history.buffer, losses.buffer]);
  },

  /** The finalists compared: the winner, its test metrics and its downloads. */
  finish() {
    const { nas } = W.s;
    const f = nas.finish();
    // The saved network in every export format: the bytes `piconas export` writes.
    const downloads = wasm_bindgen.exportFormats()
      .map(([name, file]) => ({ name, file, bytes: nas.export(name) }));
    postMessage({
      type: 'finished',
      winner: f.winner, devMean: f.devMean, test: f.test, members: f.members, testMean: f.testMean,
      testMin: f.testMin, testMax: f.testMax, bayes: f.bayes, folds: f.folds, runs: f.runs,
      helperRuns: W.s.helperRuns,
      downloads, classes: nas.classes(), confusion: nas.confusion(), recall: nas.recall(),
    }, downloads.map((d) => d.bytes.buffer));
  },
};
