// The page: settings form (kept in the URL hash), controls, and drawing what the worker posts.

// The form's labels. Which settings there are, their order, kinds, options and defaults come
// from the core's settings table (wasm's settingsTable()), so the page offers exactly what the
// command line offers; a setting without a label here is shown with its help text.
const LABELS = {
  rollouts: 'Rollouts',
  seed: 'Seed',
  dataset: 'Data set',
  samples: 'Data points',
  noise: 'Noise σ',
  dataSeed: 'Data seed',
  strategy: 'Strategy',
  hidden: 'Controller units',
  rolloutsPerUpdate: 'Rollouts per update',
  childLr: 'Child learning rate',
  maxEpochs: 'Child max epochs',
  patience: 'Child patience',
  minSteps: 'Child min steps',
  weightDecay: 'Child weight decay',
  metric: 'Reward measures',
  rewardFolds: 'Reward folds',
  rungs: 'Rungs',
  rungEta: 'Rung η',
  controllerLr: 'Controller learning rate',
  entropyWeight: 'Entropy weight β₀',
  maxGradNorm: 'Gradient clip norm',
  baselineDecay: 'Baseline decay',
  controllerInput: 'Controller reads',
  lossPerStep: 'Loss over steps',
  rewardEpoch: 'Reward epoch',
  bestEpoch: 'Best epoch by',
  devAccuracy: 'Dev accuracy',
  shaping: 'Reward shaping',
  finalists: 'Finalists',
  retrains: 'Retrains each',
  folds: 'Finalist CV folds',
  population: 'Evolution population',
  tournament: 'Evolution tournament',
  selection: 'Winner rule',
  costWeight: 'Cost weight λ',
  cost: 'Cost counts',
  target: 'Target part',
  overBudget: 'Over budget',
  maxFlash: 'Max flash (bytes)',
  maxRam: 'Max RAM (bytes)',
  maxLatencyUs: 'Max latency (µs)',
};
let fields = []; // the settings table's rows, once the worker has sent them
// Finished (or reset) searches' reward curves kept for comparison, newest last.
const MAX_OVERLAYS = 4;

const $ = (id) => document.getElementById(id);
// Where an unfinished search is kept across reloads.
const SAVED_KEY = 'piconas.unfinished-search';

/**
 * The kept search: `null` if there is none, else `{ saved }` with its fields decoded, or
 * `{ damaged }` saying what is wrong with it (it is then offered for discarding only).
 */
function loadSaved() {
  const raw = localStorage.getItem(SAVED_KEY);
  if (raw === null) return null;
  try {
    const saved = JSON.parse(raw);
    const fields = saved && typeof saved === 'object' && typeof saved.settings === 'object' &&
      saved.settings !== null && typeof saved.checkpoint === 'string' &&
      typeof saved.history === 'string' && Number.isInteger(saved.completed);
    if (!fields) return { damaged: 'a field is missing' };
    return {
      saved: {
        ...saved, checkpoint: fromBase64(saved.checkpoint), history: fromBase64(saved.history),
        // Kept since the page keeps its losses (float32 bytes); absent in older kept searches.
        losses: typeof saved.losses === 'string' ? new Float32Array(fromBase64(saved.losses).buffer) : null,
      },
    };
  } catch (e) {
    return { damaged: e.message };
  }
}

function toBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
const pct = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '–');

/** Whether the search on screen is on the generated moons (the original's 91 % applies). */
function onMoons() {
  return !state.onFile && (state.settings?.dataset ?? 'moons') === 'moons';
}

const state = {
  shape: [2, 2], // features and classes of the search on screen
  onFile: false, // whether it runs on the user's file
  file: null, // the user's data file ({ name, bytes }), or null for generated data
  phase: 'loading', // loading, idle, starting, running, paused, finishing, done
  settings: null, // of the search on screen
  data: null,
  rewards: [],
  rollouts: 0,
  bayes: NaN,
  heatmap: null,
  policy: null,
  frontier: null, // { points: Float32Array (cost, accuracy, samples, on) ×n, archs, unit }
  overlays: [], // [{ label, rewards, total }]
  table: null, // the whole-space table: { bytes, name, info } (info once the worker read it)
  tableUsed: false, // whether the search on screen is checked against it and ranked in it
  standing: null, // [table's best, its top 1 %, the search's best architecture's mean, rank]
};
window.piconas = state; // for the end-to-end test and the curious
let worker = null; // the search's worker, once started
let helpers = []; // workers that train children for it (speculation), one per core
let tableWorker = null; // the worker making a table, while it does

function status(message, isError = false) {
  const el = $('status');
  el.hidden = !message;
  el.textContent = message ?? '';
  el.classList.toggle('error', isError);
}

function setPhase(phase) {
  state.phase = phase;
  $('c-state').textContent = phase;
  const active = phase === 'running' || phase === 'paused';
  $('start').disabled = !(phase === 'idle' || phase === 'paused' || phase === 'done');
  $('start').textContent = phase === 'paused' ? 'Resume' : 'Start';
  $('pause').disabled = phase !== 'running';
  $('step').disabled = phase !== 'paused';
  $('reset').disabled = !(active || phase === 'done' || phase === 'finishing');
  for (const el of $('settings').elements) el.disabled = active || phase === 'starting';
}

/**
 * The preset choice, first in the form: picking one fills every field with the preset's
 * settings (`--preset NAME` on the command line); "defaults" fills the defaults. It is not a
 * setting itself: the link keeps the fields.
 */
function presetField(table, presets) {
  const field = document.createElement('div');
  field.className = 'field';
  field.dataset.name = 'preset';
  const l = document.createElement('label');
  l.htmlFor = 's-preset';
  l.textContent = 'Preset';
  l.title = 'Fill the fields from a preset (--preset NAME on the command line)';
  const input = document.createElement('select');
  input.id = 's-preset';
  input.append(new Option('(choose)', ''), new Option('defaults', 'defaults'));
  for (const p of presets) {
    const o = new Option(p.name, p.name);
    o.title = p.help;
    input.append(o);
  }
  input.addEventListener('change', () => {
    const chosen = presets.find((p) => p.name === input.value);
    for (const { name, default: value } of table) {
      const v = chosen ? chosen.settings[name] : value;
      // A preset's unset number is said ("none"): an empty field would mean the default.
      $(`s-${name}`).value = v === null ? (chosen ? 'none' : '') : String(v);
    }
  });
  field.append(l, input);
  return field;
}

function buildForm(table, presets) {
  fields = table;
  const hash = new URLSearchParams(location.hash.slice(1));
  const form = $('settings');
  form.append(presetField(table, presets));
  for (const { name, kind, options, default: value, help, flag } of table) {
    const field = document.createElement('div');
    field.className = 'field';
    field.dataset.name = name;
    const l = document.createElement('label');
    l.htmlFor = `s-${name}`;
    l.textContent = LABELS[name] ?? help;
    l.title = `${help} (${flag} on the command line)`;
    let input;
    if (kind === 'choice') {
      input = document.createElement('select');
      for (const v of options) input.append(new Option(v, v));
    } else {
      input = document.createElement('input');
      input.type = 'text';
      input.inputMode = kind === 'int' ? 'numeric' : 'decimal';
      if (kind === 'optional') input.placeholder = 'none';
    }
    input.id = `s-${name}`;
    input.name = name;
    const given = hash.get(name);
    // A choice the link names but the form does not offer is kept, to be named as invalid
    // beside its field when the search starts, as a bad number is.
    if (kind === 'choice' && given !== null && !options.includes(given)) {
      input.append(new Option(`${given} (invalid)`, given));
    }
    input.value = given ?? (value === null ? '' : String(value));
    const error = document.createElement('div');
    error.className = 'error';
    error.id = `e-${name}`;
    error.setAttribute('role', 'alert');
    field.append(l, input, error);
    form.append(field);
  }
  form.addEventListener('submit', (e) => e.preventDefault());
}

function readSettings() {
  const settings = {};
  for (const { name } of fields) {
    const raw = $(`s-${name}`).value.trim();
    if (raw !== '') settings[name] = raw; // the wasm side parses and validates
  }
  return settings;
}

function clearErrors() {
  $('e-data').textContent = '';
  $('drop').classList.remove('invalid');
  for (const { name } of fields) {
    $(`e-${name}`).textContent = '';
    $(`e-${name}`).parentElement.classList.remove('invalid');
  }
}

function showInvalid(field, message) {
  const el = $(`e-${field}`);
  if (el) {
    el.textContent = message;
    el.parentElement.classList.add('invalid');
    ($(`s-${field}`) ?? $('data-file')).focus();
  } else {
    status(message, true);
  }
}

function redraw() {
  if (state.data) {
    const t = performance.now();
    drawMoons($('moons'), state.data, state.heatmap);
    state.drawMs = performance.now() - t;
  }
  drawRewards($('rewards'), state.rewards, state.rollouts, state.bayes, {
    overlays: state.overlays,
    original: onMoons(),
    losses: state.losses,
    lossStart: state.lossStart,
    table: state.tableUsed ? state.table?.info : null,
  });
  drawPolicy($('policy'), state.policy);
  drawFrontier($('frontier'), state.frontier, state.bayes);
  $('clear-overlays').disabled = state.overlays.length === 0;
}

/** Keeps the search on screen's reward curve as an overlay, labelled by what it searched. */
function keepOverlay() {
  if (!state.settings || state.rewards.length === 0) return;
  const s = state.settings;
  const label = `${s.strategy ?? 'reinforce'} · ${s.dataset ?? 'moons'} · seed ${s.seed ?? 0}` +
    (Number(s.costWeight ?? 0) > 0 ? ` · λ ${s.costWeight}` : '');
  state.overlays.push({ label, rewards: Float32Array.from(state.rewards), total: state.rollouts });
  if (state.overlays.length > MAX_OVERLAYS) state.overlays.shift();
}

function resetView() {
  Object.assign(state, {
    data: null, rewards: [], rollouts: 0, bayes: NaN, heatmap: null, policy: null, frontier: null,
    frames: [], losses: [], lossStart: 0, tableUsed: false, standing: null,
  });
  $('table-standing').textContent = '';
  $('c-rollout').textContent = '0 / 0';
  for (const id of ['c-rate', 'c-best', 'c-beta', 'c-bayes', 'c-ahead']) $(id).textContent = '–';
  $('greedy').textContent = '–';
  renderArch($('arch'), null);
  $('result').hidden = true;
  const m = $('moons').getContext('2d');
  m.fillStyle = 'white';
  m.fillRect(0, 0, $('moons').width, $('moons').height);
  redraw();
}

function offerSaved() {
  const kept = loadSaved();
  if (!kept) return;
  $('saved').hidden = false;
  $('saved').classList.toggle('error', Boolean(kept.damaged));
  $('saved-continue').hidden = Boolean(kept.damaged);
  if (kept.damaged) {
    $('saved-text').textContent = `A kept search is damaged (${kept.damaged}) and cannot be continued.`;
    $('saved-continue').onclick = null;
  } else {
    const { saved } = kept;
    $('saved-text').textContent =
      `An unfinished search was kept at rollout ${saved.completed} of ${saved.rollouts} (seed ${saved.settings.seed ?? 0}).`;
    $('saved-continue').onclick = () => {
      $('saved').hidden = true;
      for (const [name, value] of Object.entries(saved.settings)) {
        if ($(`s-${name}`)) $(`s-${name}`).value = value;
      }
      setPhase('starting');
      worker.postMessage({ type: 'resume-saved', settings: saved.settings, saved, table: state.table?.bytes.slice() ?? null });
    };
  }
  $('saved-discard').onclick = () => {
    localStorage.removeItem(SAVED_KEY);
    $('saved').hidden = true;
  };
}

function keep(m) {
  // Keep the latest checkpoint so a reload can continue; a full storage only costs that.
  try {
    localStorage.setItem(SAVED_KEY, JSON.stringify({
      settings: state.settings, completed: m.completed, rollouts: state.rollouts,
      checkpoint: toBase64(m.bytes), history: toBase64(m.history),
      losses: toBase64(new Uint8Array(m.losses.buffer, m.losses.byteOffset, m.losses.byteLength)),
      bestArch: m.bestArch, bestWeights: m.bestWeights,
    }));
  } catch (e) {
    status(`This search cannot be kept across a reload: ${e.message}`, true);
  }
}

/** A search began: its data, its shape, and where the link and the note stand. */
function onStarted(m) {
  keepOverlay(); // the search on screen, if any, becomes an earlier curve
  resetView();
  state.data = { points: m.points, labels: m.labels, split: m.split, grid: m.grid };
  renderLegend(m.classes, m.features.length);
  state.shape = [m.features.length, m.classes.length];
  state.onFile = m.file !== null;
  $('data-note').hidden = m.file === null;
  $('data-note').textContent = m.file === null ? ''
    : `On ${m.file}: ${m.features.length} features, ${m.classes.length} classes. The link keeps the settings; the file must be chosen again.`;
  state.rollouts = m.rollouts;
  state.settings = m.settings;
  for (const r of m.rewards) state.rewards.push(r);
  // A resumed search's losses, all of them; one kept before the page kept its losses has
  // them from where it resumed (the earlier ones are NaN).
  const known = m.losses.findIndex((l) => !Number.isNaN(l));
  state.lossStart = known < 0 ? m.losses.length : known;
  for (const l of m.losses.subarray(state.lossStart)) state.losses.push(l);
  $('saved').hidden = true;
  state.bayes = m.bayes;
  $('c-bayes').textContent = pct(m.bayes);
  $('c-rollout').textContent = `${m.rewards.length} / ${m.rollouts}`;
  history.replaceState(null, '', `#${new URLSearchParams(m.settings)}`);
  setPhase('running');
  redraw();
}

/** The search ended: the winner, its test metrics and its downloads. */
function onFinished(m) {
  localStorage.removeItem(SAVED_KEY);
  state.helperRuns = m.helperRuns; // the finish's runs the helper workers trained
  status(null);
  $('r-winner').textContent = m.winner;
  $('r-how').textContent = m.folds >= 2
    ? `chosen by ${m.folds}-fold cross-validation, shipped as the ensemble of its ${m.members} fold models`
    : `retrained ${m.runs} times, the best retrain shipped`;
  $('r-test').textContent = pct(m.test);
  $('r-range').textContent = m.folds >= 2
    ? `the fold models one by one: ${pct(m.testMin)} to ${pct(m.testMax)}`
    : `the retrains: ${pct(m.testMin)} to ${pct(m.testMax)}`;
  $('r-bayes').textContent = pct(m.bayes);
  $('r-original').hidden = !onMoons();
  $('r-ceiling').hidden = state.onFile;
  offerDownloads(m.downloads);
  renderMetrics(m.classes, m.confusion, m.recall);
  $('result').hidden = false;
  setPhase('done');
}

function onMessage({ data: m }) {
  switch (m.type) {
    case 'ready':
      if (fields.length > 0) { setPhase('idle'); break; } // a worker restarted by Reset
      buildForm(m.table, m.presets);
      resetView();
      setPhase('idle');
      offerSaved();
      break;
    case 'checkpoint':
      keep(m);
      break;
    case 'resume-failed':
      localStorage.removeItem(SAVED_KEY);
      status(`The kept search could not be continued (${m.message}); it was discarded.`, true);
      setPhase('idle');
      break;
    case 'invalid':
      showInvalid(m.field, m.message);
      setPhase('idle');
      break;
    case 'columns':
      offerLabels(m.columns);
      break;
    case 'started':
      onStarted(m);
      break;
    case 'progress':
      for (const r of m.rewards) state.rewards.push(r);
      for (const l of m.losses) state.losses.push(l);
      state.heatmap = m.heatmap;
      state.heatmapMs = m.heatmapMs;
      state.policy = m.policy;
      $('c-rollout').textContent = `${m.completed} / ${m.rollouts}`;
      $('c-rate').textContent = m.rate.toFixed(1);
      $('c-ahead').textContent = m.ahead === null ? 'off'
        : `${pct(m.ahead[1] / Math.max(1, m.ahead[2]))} (${m.helpers} helpers)`;
      $('c-best').textContent = pct(m.bestReward);
      $('c-beta').textContent = m.beta.toExponential(2);
      $('greedy').textContent = m.greedyArch;
      state.frontier = { points: m.frontier, archs: m.frontierArchs, unit: m.frontierUnit };
      renderArch($('arch'), m.bestArch, state.shape[0], state.shape[1]);
      if (m.standing) renderStanding(m.standing);
      redraw();
      // The data panel's frame: the heatmap in the worker, the drawing here (measure.mjs).
      if (state.frames.length < 2000) state.frames.push([state.heatmapMs, state.drawMs]);
      if (m.done) { setPhase('finishing'); status('Comparing the finalists…'); }
      break;
    case 'finished':
      onFinished(m);
      break;
    case 'table':
      onTable(m);
      break;
    case 'table-refused':
      state.tableUsed = false;
      showTable(`${state.table?.name ?? 'The table'}: ${m.message}`, true);
      redraw();
      break;
    case 'error':
      status(m.message, true);
      setPhase('idle');
      break;
    default:
      break;
  }
}

/** The file the user chose or dropped: read, and its columns asked of the worker. */
async function chooseFile(file) {
  clearErrors();
  const bytes = new Uint8Array(await file.arrayBuffer());
  state.file = { name: file.name, bytes };
  $('data-clear').hidden = false;
  worker.postMessage({ type: 'columns', name: file.name, bytes });
}

/** The label choices of the chosen file, the last column first chosen (as the runner does). */
function offerLabels(columns) {
  const select = $('data-label');
  select.replaceChildren(...columns.map((c) => new Option(c, c)));
  select.value = columns[columns.length - 1];
  select.disabled = false;
}

function forgetFile() {
  state.file = null;
  $('data-file').value = '';
  $('data-label').replaceChildren(new Option('(choose a file)', ''));
  $('data-label').disabled = true;
  $('data-clear').hidden = true;
  clearErrors();
}

/** The legend: one swatch per class, and what the plane is. */
function renderLegend(classes, d) {
  const parts = classes.map((name, c) => {
    const s = document.createElement('span');
    s.className = 'swatch';
    s.style.background = `rgb(${CLASS_COLOURS[c % CLASS_COLOURS.length]})`;
    return [s, ` ${name} `];
  }).flat();
  const plane = d === 2 && classes.length === 2
    ? "● train ○ dev ◆ test · background: the best network's P(class 1)"
    : d === 2 ? '● train ○ dev ◆ test' : `● train ○ dev ◆ test · ${d} features drawn on their first two principal components`;
  $('legend').replaceChildren(...parts, '· ', plane);
}

/** The saved network's test confusion matrix and per-class recall. */
function renderMetrics(classes, confusion, recall) {
  const k = classes.length;
  const table = document.createElement('table');
  table.className = 'confusion';
  const head = table.insertRow();
  head.insertCell().textContent = 'true ↓ predicted →';
  for (const c of classes) head.insertCell().textContent = c;
  head.insertCell().textContent = 'recall';
  for (let t = 0; t < k; t++) {
    const row = table.insertRow();
    row.insertCell().textContent = classes[t];
    for (let p = 0; p < k; p++) row.insertCell().textContent = String(confusion[t * k + p]);
    row.insertCell().textContent = pct(recall[t]);
  }
  const caption = table.createCaption();
  caption.textContent = 'The saved network on the test split';
  $('r-metrics').replaceChildren(table);
}

/** Links that save the winner in each export format (Blob URLs of the worker's bytes). */
function offerDownloads(downloads) {
  const box = $('downloads');
  for (const a of box.querySelectorAll('a')) URL.revokeObjectURL(a.href);
  box.replaceChildren(...downloads.map(({ name, file, bytes }) => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([bytes]));
    a.download = file;
    a.dataset.format = name;
    a.className = 'download';
    a.textContent = file;
    return a;
  }));
}

/** The table panel's message: what the table is, or (`isError`) why it cannot be used. */
function showTable(message, isError = false) {
  $('e-table').textContent = isError ? message : '';
  $('table-note').textContent = isError ? '' : message;
}

/** The search's worker read the table: what it holds, and whether the search uses it. */
function onTable(m) {
  if (!state.table) return;
  state.table.info = m.info;
  state.tableUsed = m.used;
  const i = m.info;
  const seeds = i.seeds === 1 ? '1 child seed' : `${i.seeds} child seeds`;
  showTable(`${state.table.name}: ${i.architectures.toLocaleString('en')} architectures of up to ` +
    `${i.maxTokens} tokens, ${seeds}; the best is ${i.bestArch} at ${pct(i.best)} mean dev accuracy ` +
    `(the top 1 % from ${pct(i.topPercent)}).` +
    (m.used ? ' Its best is the dashed line on the reward chart.' : ' A search is checked against it when it starts.'));
  redraw();
}

/** Where the search's best architecture stands in the table. */
function renderStanding([best, , mean, rank]) {
  state.standing = [best, mean, rank];
  const n = state.table?.info?.architectures ?? 0;
  $('table-standing').textContent = Number.isNaN(mean)
    ? "This search's best architecture is not in the table (it holds shorter sequences)."
    : `This search's best architecture: ${pct(mean)} in the table, rank ${rank.toLocaleString('en')} of ` +
      `${n.toLocaleString('en')}, ${((best - mean) * 100).toFixed(1)} points under the best.`;
}

/** A table chosen by the user or made here: read by the search's worker (and used, if a search runs). */
function useTable(bytes, name) {
  state.table = { bytes, name, info: null };
  state.tableUsed = false;
  showTable(`Reading ${name}…`);
  worker.postMessage({ type: 'table', bytes: bytes.slice() });
}

/**
 * Makes a table of the form's settings and the data on a worker of its own (the search runs
 * on), offers it as space.bin (the bytes `piconas enumerate` writes for the same settings and
 * data), and uses it.
 */
function makeTable() {
  if (tableWorker) tableWorker.terminate();
  const url = workerUrl();
  tableWorker = new Worker(url);
  URL.revokeObjectURL(url);
  $('table-make').disabled = true;
  const done = () => { tableWorker?.terminate(); tableWorker = null; $('table-make').disabled = false; };
  tableWorker.onmessage = ({ data: m }) => {
    if (m.type === 'table-progress') showTable(`Making the table: ${m.done} of ${m.total} architectures…`);
    else if (m.type === 'table-made') {
      const a = $('table-download');
      if (a.href) URL.revokeObjectURL(a.href);
      a.href = URL.createObjectURL(new Blob([m.bytes]));
      a.hidden = false;
      done();
      useTable(m.bytes, 'The table made here');
    } else if (m.type === 'table-refused' || m.type === 'error' || m.type === 'invalid') {
      showTable(m.message, true);
      done();
    }
  };
  tableWorker.onerror = (e) => { showTable(`The table's worker failed: ${e.message ?? 'could not start'}`, true); done(); };
  tableWorker.postMessage({ type: 'init', wasm: PICONAS_WASM_BASE64 });
  const data = state.file && { ...state.file, label: $('data-label').value };
  tableWorker.postMessage({
    type: 'make-table', settings: readSettings(), data,
    maxTokens: Number($('table-tokens').value), seeds: Number($('table-seeds').value),
  });
}

/** The search on screen is gone: its kept copy too, and its curve becomes an overlay. */
function cleared() {
  localStorage.removeItem(SAVED_KEY);
  keepOverlay();
  resetView();
}

/**
 * The worker is built from a Blob: wasm-bindgen's glue and the worker's code as source text
 * (classic scripts the page loaded, www/pkg/piconas.js and worker.js), then handed the
 * module's bytes. A page opened from disk may fetch nothing, and this way it needs nothing
 * fetched; a served page runs the same way.
 */
function workerUrl() {
  const methods = Object.values(piconasWorker).map(String).join(',\n');
  const source = `${piconasGlue}\nconst wasm_bindgen = piconasGlue();\nconst W = {\n${methods}\n};\nW.main();\n`;
  return URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
}

function startWorker() {
  const url = workerUrl();
  worker = new Worker(url);
  // With one rollout per update the search's worker only proposes and learns; one helper per
  // core trains the children it hands out (the awaited one, then guesses of the next ones:
  // see wasm/src/pipeline.rs), each over its own channel to the search's worker.
  const cores = navigator.hardwareConcurrency || 1;
  helpers = cores >= 2 ? Array.from({ length: Math.min(cores, 8) }, () => new Worker(url)) : [];
  URL.revokeObjectURL(url);
  const ports = helpers.map((helper) => {
    const channel = new MessageChannel();
    helper.postMessage({ type: 'init', wasm: PICONAS_WASM_BASE64 });
    helper.postMessage({ type: 'helper', port: channel.port1 }, [channel.port1]);
    helper.onerror = (e) => status(`A helper worker failed: ${e.message ?? 'could not start'}`, true);
    return channel.port2;
  });
  worker.postMessage({ type: 'init', wasm: PICONAS_WASM_BASE64 });
  worker.postMessage({ type: 'helpers', ports }, ports);
  worker.onmessage = onMessage;
  worker.onerror = (e) => status(`The search worker failed: ${e.message ?? 'could not start'}`, true);
}

/**
 * Reset at once, even in the middle of a rollout that takes minutes: the worker (and its
 * search) is thrown away and a fresh one loaded.
 */
function reset() {
  worker.terminate();
  helpers.forEach((helper) => helper.terminate());
  cleared();
  setPhase('loading');
  startWorker();
}

function main() {
  if (typeof piconasGlue !== 'function') {
    status('The WebAssembly build is missing (www/pkg/piconas.js): build it with the README\'s page command.', true);
    $('c-state').textContent = 'not built';
    return;
  }
  startWorker();
  $('start').addEventListener('click', () => {
    status(null);
    clearErrors();
    if (state.phase === 'paused') {
      worker.postMessage({ type: 'resume' });
      setPhase('running');
      return;
    }
    setPhase('starting');
    const data = state.file && { ...state.file, label: $('data-label').value };
    worker.postMessage({ type: 'start', settings: readSettings(), data, table: state.table?.bytes.slice() ?? null });
  });
  $('pause').addEventListener('click', () => { worker.postMessage({ type: 'pause' }); setPhase('paused'); });
  $('step').addEventListener('click', () => worker.postMessage({ type: 'step' }));
  $('reset').addEventListener('click', reset);
  $('clear-overlays').addEventListener('click', () => { state.overlays = []; redraw(); });
  $('data-file').addEventListener('change', (e) => { if (e.target.files[0]) chooseFile(e.target.files[0]); });
  $('data-clear').addEventListener('click', forgetFile);
  $('table-file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (file) useTable(new Uint8Array(await file.arrayBuffer()), file.name);
  });
  $('table-make').addEventListener('click', makeTable);
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files[0]) chooseFile(e.dataTransfer.files[0]);
  });
}

main();
