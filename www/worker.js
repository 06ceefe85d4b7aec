// The search runs in a worker, off the page's thread, in slices of about 60 ms so that pause,
// step and reset messages are handled promptly. The worker owns the wasm handle; the page only
// draws what the worker posts.
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
        case 'init': W.load(data.wasm); break;
        case 'start': W.start(data.settings, null, data.data ?? null); break;
        case 'columns': W.columns(data.name, data.bytes); break;
        case 'resume-saved': W.start(data.settings, data.saved); break;
        case 'pause': s.paused = true; if (s.nas) W.save(); break;
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
      postMessage({ type: 'ready', table: wasm_bindgen.settingsTable() });
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
      return Nas.resume(settings, saved.checkpoint, saved.history, saved.bestArch ?? undefined,
        saved.bestWeights ? Float32Array.from(saved.bestWeights) : undefined);
    }
    if (!data) return new Nas(settings);
    // A bad file throws with `field` 'data': its message goes beside the file field.
    return Nas.withData(settings, data.name, data.bytes, data.label || undefined, false, 0n);
  },

  start(settings, saved = null, data = null) {
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
      rewards: nas.rewards(0),
    });
    s.sent = nas.progress().completed;
    W.run(s.generation);
  },

  /** Drops the search (if any); a loop of an earlier generation stops. */
  reset() {
    const s = W.s;
    s.generation += 1;
    if (s.nas) s.nas.free();
    Object.assign(s, { nas: null, paused: false, sent: 0, activeMs: 0 });
  },

  /** Steps for a slice, posts the progress, and schedules the next slice (or finishes). */
  run(gen) {
    const SLICE_MS = 60;
    const SAVE_MS = 2000; // how often the page is handed a checkpoint to keep
    const s = W.s;
    if (gen !== s.generation || !s.nas || s.paused) return;
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
    W.s.sent += rewards.length;
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
      rate: W.s.activeMs > 0 ? (1000 * p.completed) / W.s.activeMs : 0,
      rewards,
      bestArch: nas.bestArch() ?? null,
      greedyArch: nas.greedyArch(),
      policy: nas.policy(),
      heatmap,
      heatmapMs,
      frontier: nas.frontier(),
      frontierArchs: nas.frontierArchs(),
    };
    const moved = [m.rewards.buffer, m.policy.buffer, m.frontier.buffer];
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
    postMessage({
      type: 'checkpoint', bytes, completed: s.nas.progress().completed,
      bestArch: s.nas.bestArch() ?? null, bestWeights: weights ? Array.from(weights) : null, history,
    }, [bytes.buffer, history.buffer]);
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
      winner: f.winner, devMean: f.devMean, testMean: f.testMean,
      testMin: f.testMin, testMax: f.testMax, bayes: f.bayes, folds: f.folds, runs: f.runs,
      downloads, classes: nas.classes(), confusion: nas.confusion(), recall: nas.recall(),
    }, downloads.map((d) => d.bytes.buffer));
  },
};
