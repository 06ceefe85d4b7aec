// The search runs here, off the page's thread, in slices of about 60 ms so that pause, step
// and reset messages are handled promptly. The worker owns the wasm handle; the page only
// draws what the worker posts. The page loads this file as a classic script and puts
// piconasWorker's source, after wasm-bindgen's glue (`wasm_bindgen`), into a Blob worker
// (main.js, startWorker), so nothing is fetched: the page works from file:// too.

// eslint-disable-next-line no-unused-vars
function piconasWorker() {
  /* global wasm_bindgen */
  const { Nas, csvColumns, exportFormats, settingsTable } = wasm_bindgen;

  const SLICE_MS = 60;
  const SAVE_MS = 2000; // how often the page is handed a checkpoint to keep
  const GRID_X = 80; // heatmap resolution (columns); rows follow the data's aspect ratio

  let nas = null;
  let onFile = false; // whether the search is on the user's file
  let paused = false;
  let sent = 0; // rewards already posted
  let activeMs = 0; // time spent stepping, for rollouts/s
  let grid = null;
  let generation = 0; // bumps on reset so a stale loop stops
  let lastSave = 0;

  function bounds(points) {
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let i = 0; i < points.length; i += 2) {
      x0 = Math.min(x0, points[i]); x1 = Math.max(x1, points[i]);
      y0 = Math.min(y0, points[i + 1]); y1 = Math.max(y1, points[i + 1]);
    }
    const mx = 0.08 * (x1 - x0), my = 0.08 * (y1 - y0);
    return { x0: x0 - mx, x1: x1 + mx, y0: y0 - my, y1: y1 + my };
  }

  function progressMessage(p) {
    const rewards = nas.rewards(sent);
    sent += rewards.length;
    const t = performance.now();
    const heatmap = nas.heatmapImage(grid.nx, grid.ny, grid.x0, grid.x1, grid.y0, grid.y1) ?? null;
    const heatmapMs = performance.now() - t;
    return {
      type: 'progress',
      completed: p.completed,
      rollouts: p.rollouts,
      done: p.done,
      bestReward: p.bestReward,
      beta: p.beta,
      rate: activeMs > 0 ? (1000 * p.completed) / activeMs : 0,
      rewards,
      bestArch: nas.bestArch() ?? null,
      greedyArch: nas.greedyArch(),
      policy: nas.policy(),
      heatmap,
      heatmapMs,
      frontier: nas.frontier(),
      frontierArchs: nas.frontierArchs(),
    };
  }

  function post(p) {
    const m = progressMessage(p);
    const moved = [m.rewards.buffer, m.policy.buffer, m.frontier.buffer];
    if (m.heatmap) moved.push(m.heatmap.data.buffer);
    postMessage(m, moved);
  }

  /** Hands the page a checkpoint to keep (not between the proposals of one update). */
  function save() {
    if (onFile) return; // a kept search is resumed from its settings: generated data only
    const bytes = nas.checkpoint();
    if (!bytes) return;
    lastSave = performance.now();
    const weights = nas.bestWeights();
    const history = nas.history();
    postMessage({
      type: 'checkpoint', bytes, completed: nas.progress().completed,
      bestArch: nas.bestArch() ?? null, bestWeights: weights ? Array.from(weights) : null, history,
    }, [bytes.buffer, history.buffer]);
  }

  function finish() {
    const f = nas.finish();
    // The saved network in every export format: the bytes `piconas export` writes.
    const downloads = exportFormats().map(([name, file]) => ({ name, file, bytes: nas.export(name) }));
    postMessage({
      type: 'finished',
      winner: f.winner, devMean: f.devMean, testMean: f.testMean,
      testMin: f.testMin, testMax: f.testMax, bayes: f.bayes, folds: f.folds, runs: f.runs,
      downloads, classes: nas.classes(), confusion: nas.confusion(), recall: nas.recall(),
    }, downloads.map((d) => d.bytes.buffer));
  }

  function run(gen) {
    if (gen !== generation || !nas || paused) return;
    const start = performance.now();
    let p;
    do {
      p = nas.step(1);
    } while (!p.done && performance.now() - start < SLICE_MS);
    activeMs += performance.now() - start;
    post(p);
    if (p.done) finish();
    else {
      if (performance.now() - lastSave > SAVE_MS) save();
      setTimeout(() => run(gen), 0);
    }
  }

  /** A new search on `data` ({ name, bytes, label }: the user's file), or on the settings' data. */
  function open(settings, saved, data) {
    if (saved) {
      return Nas.resume(settings, saved.checkpoint, saved.history, saved.bestArch ?? undefined,
        saved.bestWeights ? Float32Array.from(saved.bestWeights) : undefined);
    }
    if (!data) return new Nas(settings);
    try {
      return Nas.withData(settings, data.name, data.bytes, data.label || undefined, false, 0n);
    } catch (e) {
      if (!e.field) e.field = 'data'; // the reader's message goes beside the file field
      throw e;
    }
  }

  function start(settings, saved = null, data = null) {
    let handle;
    try {
      handle = open(settings, saved, data);
    } catch (e) {
      postMessage({ type: saved ? 'resume-failed' : 'invalid', field: e.field ?? '', message: e.message ?? String(e) });
      return;
    }
    reset();
    nas = handle;
    onFile = data !== null;
    lastSave = performance.now();
    const points = nas.points();
    const b = bounds(points);
    const ny = Math.max(8, Math.round((GRID_X * (b.y1 - b.y0)) / (b.x1 - b.x0)));
    grid = { nx: GRID_X, ny, ...b };
    postMessage({
      type: 'started',
      points, labels: nas.labels(), split: Array.from(nas.splitSizes()),
      classes: nas.classes(), features: nas.features(), file: data?.name ?? null,
      bayes: nas.bayesTest(), rollouts: nas.progress().rollouts, grid, settings,
      rewards: nas.rewards(0),
    });
    sent = nas.progress().completed;
    run(generation);
  }

  function reset() {
    generation += 1;
    if (nas) nas.free();
    nas = null;
    paused = false;
    sent = 0;
    activeMs = 0;
  }

  /** The module's bytes from the page (base64), instantiated; then the settings table. */
  async function load(base64) {
    try {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      await wasm_bindgen({ module_or_path: bytes });
      postMessage({ type: 'ready', table: settingsTable() });
    } catch (e) {
      postMessage({ type: 'error', message: `could not load the wasm module: ${e.message ?? e}` });
    }
  }

  onmessage = ({ data }) => {
    try {
      switch (data.type) {
        case 'init': load(data.wasm); break;
        case 'start': start(data.settings, null, data.data ?? null); break;
      case 'columns':
        try {
          postMessage({ type: 'columns', name: data.name, columns: csvColumns(data.name, data.bytes) });
        } catch (e) {
          postMessage({ type: 'invalid', field: 'data', message: e.message ?? String(e) });
        }
        break;
        case 'resume-saved': start(data.settings, data.saved); break;
        case 'pause': paused = true; if (nas) save(); break;
        case 'resume': if (nas && paused) { paused = false; run(generation); } break;
        case 'step':
          if (nas && paused && !nas.progress().done) {
            const t = performance.now();
            const p = nas.step(1);
            activeMs += performance.now() - t;
            post(p);
            if (p.done) finish();
          }
          break;
        default: break;
      }
    } catch (e) {
      postMessage({ type: 'error', message: e.message ?? String(e) });
    }
  };

}
