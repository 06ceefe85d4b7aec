// The page end to end in real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core; no browser is downloaded). Serves www/ on 127.0.0.1, runs a 200-rollout
// search to the end, checks the counters, the chart and the canvases, compares every reward
// with the native runner's bit for bit, reopens the page's link and gets the same search,
// checks that an invalid setting shows its message and starts nothing, and saves a
// screenshot to target/browser/page.png; the link reopened from disk (file://) runs the same
// search. Needs the README's page build (wasm/build.sh) to have filled www/pkg and
// `cargo build -p piconas` (or PICONAS_BIN) for the native runner.
//   npm ci --prefix tests/browser && node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium, root, serveWww, www } from './harness.mjs';

let server, base, browser, context;

before(async () => {
  server = await serveWww();
  base = server.base;
  browser = await launchChromium();
  context = browser.context;
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** The page opened from disk, as a user's double-click opens it (no server). */
const fromDisk = () => pathToFileURL(join(www, 'index.html')).href;

async function openPage(hash = '', from = base, cores = null) {
  const page = await context.newPage();
  // The page starts one helper worker per core (none on one core): `cores` pretends.
  if (cores !== null) {
    await page.addInitScript((n) => Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => n }), cores);
  }
  const errors = [];
  // Uncaught exceptions, and every console error (a failed request logs one too).
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  await page.goto(from + hash);
  await page.waitForFunction(() => window.piconas?.phase === 'idle', null, { timeout: 30_000 });
  return { page, errors };
}

/** The bits of `v` as an f32, as the native runner prints them (8 hex digits). */
function f32Bits(v) {
  return new Uint32Array(new Float32Array([v]).buffer)[0].toString(16).padStart(8, '0');
}

/** The page's downloads, by format: `[file name, bytes as a Buffer]`. */
async function downloads(page) {
  const links = await page.evaluate(() => Promise.all([...document.querySelectorAll('#downloads a')]
    .map(async (a) => [a.dataset.format, a.download, Array.from(new Uint8Array(await (await fetch(a.href)).arrayBuffer()))])));
  return Object.fromEntries(links.map(([format, file, bytes]) => [format, [file, Buffer.from(bytes)]]));
}

/**
 * The page's download formats: the library's table less what needs the raw test split, which
 * the page does not keep (`Format::offered`, pinned by its unit test). Each is `piconas export
 * --format NAME`, byte for byte.
 */
const PAGE_FORMATS = ['json', 'c', 'c-int8', 'onnx'];

/**
 * Runs the native runner with `flags`: its records' reward bits, its summary, and what
 * `piconas export` writes of its network in each of the page's download formats.
 */
function nativeRun(flags) {
  const bin = process.env.PICONAS_BIN ?? join(root, 'target/debug/piconas');
  const out = mkdtempSync(join(tmpdir(), 'piconas-native-'));
  try {
    const stdout = execFileSync(bin, ['--print-records', '--out', join(out, 'run'), ...flags], {
      encoding: 'utf8',
    });
    const rewardBits = stdout.split('\n').filter((l) => /^\d+ \[/.test(l)).map((l) => l.split('] ')[1].split(' ')[0]);
    const summary = JSON.parse(readFileSync(join(out, 'run', 'summary.json'), 'utf8'));
    const exports = {};
    for (const format of PAGE_FORMATS) {
      const file = join(out, `export-${format}`);
      execFileSync(bin, ['export', '--run', join(out, 'run'), '--format', format, '--out', file], { stdio: 'ignore' });
      exports[format] = readFileSync(file);
    }
    return { rewardBits, summary, exports };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Fraction of a canvas's pixels that are not plain white. */
function inked(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) n++;
    return n / (c.width * c.height);
  }, id);
}

test('a 200-rollout search runs to the end and draws everything', { timeout: 240_000 }, async () => {
  const { page, errors } = await openPage('#rollouts=200&seed=3');
  assert.equal(await page.inputValue('#s-rollouts'), '200', 'settings come from the URL hash');
  await page.click('#start');
  await page.waitForFunction(() => window.piconas.phase === 'done', null, { timeout: 200_000 });

  assert.equal(await page.textContent('#c-rollout'), '200 / 200');
  assert.equal(await page.evaluate(() => window.piconas.rewards.length), 200);
  assert.equal(await page.getAttribute('#rewards', 'data-points'), '200');
  assert.equal(await page.getAttribute('#rewards', 'data-losses'), '200', 'the loss curve');
  assert.match(await page.textContent('#c-best'), /^\d+\.\d %$/);
  assert.match(await page.textContent('#c-rate'), /^\d+\.\d$/);
  assert.match(await page.textContent('#c-bayes'), /^9\d\.\d %$/);
  // Trained by helper workers (the pipeline), most children on a guess.
  const ahead = (await page.textContent('#c-ahead')).match(/^(\d+\.\d) % \((\d+) helpers\)$/);
  assert.ok(ahead && Number(ahead[2]) >= 2 && Number(ahead[1]) > 30, `trained ahead: ${ahead}`);
  // And the finish too: every finalist's five folds and the winner's five, tested.
  const helperRuns = await page.evaluate(() => window.piconas.helperRuns);
  assert.ok(helperRuns >= 10 && helperRuns % 5 === 0, `the finish's runs on the helpers: ${helperRuns}`);
  assert.ok(await page.isVisible('#result'));
  assert.match(await page.textContent('#r-test'), /^\d+\.\d %$/);
  assert.match(await page.textContent('#r-winner'), /^\[.*\]$/);
  assert.equal(await page.textContent('#r-how'),
    'chosen by 5-fold cross-validation, shipped as the ensemble of its 5 fold models');
  assert.ok((await page.$$('#arch .chip')).length >= 2, 'the best architecture is drawn');
  for (const id of ['moons', 'rewards', 'policy']) {
    const ink = await inked(page, id);
    assert.ok(ink > 0.02, `canvas #${id} is drawn (${(ink * 100).toFixed(1)} % of pixels inked)`);
  }
  assert.ok(await inked(page, 'moons') > 0.5, 'the decision heatmap fills the data canvas');
  const seen = Number(await page.getAttribute('#frontier', 'data-points'));
  const front = Number(await page.getAttribute('#frontier', 'data-frontier'));
  assert.ok(seen > 1 && front >= 1 && front <= seen, `frontier: ${front} of ${seen} architectures`);
  assert.ok(await inked(page, 'frontier') > 0.02, 'the frontier is drawn');
  assert.deepEqual(errors, []);

  // The page's search is the native runner's, bit for bit: every reward, the winner and its
  // test accuracy.
  const rewards = await page.evaluate(() => Array.from(window.piconas.rewards));
  const native = nativeRun(['--rollouts', '200', '--seed', '3']);
  assert.deepEqual(rewards.map(f32Bits), native.rewardBits, 'page rewards = native rewards');
  assert.equal(await page.textContent('#r-winner'), native.summary.best_arch);
  assert.equal(await page.textContent('#r-test'), `${(Math.fround(native.summary.test_acc) * 100).toFixed(1)} %`);
  // Its downloads are the bytes `piconas export` writes for the native run, in every format.
  const saved = await downloads(page);
  assert.deepEqual(Object.keys(saved), PAGE_FORMATS);
  for (const [format, [file, bytes]] of Object.entries(saved)) {
    assert.ok(bytes.length > 100, `${format}: ${bytes.length} bytes`);
    assert.ok(bytes.equals(native.exports[format]), `${file} (${format}) = piconas export's bytes`);
  }

  mkdirSync(join(root, 'target/browser'), { recursive: true });
  await page.screenshot({ path: join(root, 'target/browser/page.png'), fullPage: true });

  // The link the page wrote reproduces the search in a fresh page, this one opened from disk
  // (file://, no server: classic scripts, a Blob worker, the module's bytes embedded), with
  // no console error either.
  const hash = new URL(page.url()).hash;
  await page.close();
  const { page: again, errors: diskErrors } = await openPage(hash, fromDisk());
  assert.ok(again.url().startsWith('file:'));
  assert.equal(await again.inputValue('#s-rollouts'), '200');
  assert.equal(await again.inputValue('#s-seed'), '3');
  await again.click('#start');
  await again.waitForFunction(() => window.piconas.phase === 'done', null, { timeout: 200_000 });
  assert.deepEqual(await again.evaluate(() => Array.from(window.piconas.rewards)), rewards);
  assert.match(await again.textContent('#c-ahead'), /helpers/, 'helpers from file:// too');
  assert.deepEqual(diskErrors, []);
  await again.close();

  // On one core there are no helpers: the search's worker steps it alone, to the same rewards.
  const { page: alone, errors: aloneErrors } = await openPage(hash, base, 1);
  await alone.click('#start');
  await alone.waitForFunction(() => window.piconas.phase === 'done', null, { timeout: 200_000 });
  assert.equal(await alone.textContent('#c-ahead'), 'off');
  assert.deepEqual(await alone.evaluate(() => Array.from(window.piconas.rewards)), rewards);
  assert.deepEqual(aloneErrors, []);
  await alone.close();
});

/** `piconas enumerate` with `flags`: its space.bin. */
function nativeTable(flags) {
  const bin = process.env.PICONAS_BIN ?? join(root, 'target/debug/piconas');
  const out = mkdtempSync(join(tmpdir(), 'piconas-table-'));
  try {
    execFileSync(bin, ['enumerate', '--quiet', '--out', join(out, 'table'), ...flags], { stdio: 'ignore' });
    return readFileSync(join(out, 'table', 'space.bin'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

test('a table made on the page is the command line\'s, byte for byte, and the search is ranked in it', { timeout: 240_000 }, async () => {
  const { page, errors } = await openPage('#rollouts=30&seed=0', fromDisk());
  await page.selectOption('#table-tokens', '2');
  await page.selectOption('#table-seeds', '2');
  await page.click('#table-make');
  await page.waitForFunction(() => !document.getElementById('table-download').hidden, null, { timeout: 200_000 });
  await page.waitForFunction(() => /86 architectures/.test(document.getElementById('table-note').textContent));
  assert.match(await page.textContent('#table-note'),
    /^The table made here: 86 architectures of up to 2 tokens, 2 child seeds; the best is \[.*\] at \d+\.\d % mean dev accuracy \(the top 1 % from \d+\.\d %\)\. A search is checked against it when it starts\.$/);
  const made = Buffer.from(await page.evaluate(async () =>
    Array.from(new Uint8Array(await (await fetch(document.getElementById('table-download').href)).arrayBuffer()))));
  const native = nativeTable(['--max-tokens', '2', '--child-seeds', '2', '--rollouts', '30']);
  assert.ok(made.equals(native), `the page's space.bin (${made.length} bytes) = piconas enumerate's (${native.length})`);

  // The search runs against it: its best on the reward chart, its best architecture ranked.
  await page.click('#start');
  await page.waitForFunction(() => window.piconas.phase === 'done', null, { timeout: 200_000 });
  const best = Number(await page.getAttribute('#rewards', 'data-table'));
  assert.ok(best > 0.8 && best <= 1, `the table's best on the chart: ${best}`);
  assert.match(await page.textContent('#table-note'), /Its best is the dashed line on the reward chart\.$/);
  assert.match(await page.textContent('#table-standing'),
    /^(This search's best architecture: \d+\.\d % in the table, rank \d+ of 86, \d+\.\d points under the best\.|This search's best architecture is not in the table \(it holds shorter sequences\)\.)$/);

  // A table of another seed's children is refused, named, and not drawn.
  await page.setInputFiles('#table-file', { name: 'seed3.bin', mimeType: 'application/octet-stream',
    buffer: nativeTable(['--max-tokens', '1', '--seed', '3']) });
  await page.waitForFunction(() => document.getElementById('e-table').textContent !== '');
  assert.equal(await page.textContent('#e-table'),
    'seed3.bin: the table\'s children were trained under other settings (seed, child training or reward folds) than this search\'s');
  assert.equal(await page.getAttribute('#rewards', 'data-table'), '');
  // And a file that is not a table says so.
  await page.setInputFiles('#table-file', { name: 'notes.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('hello') });
  await page.waitForFunction(() => /^notes\.bin: /.test(document.getElementById('e-table').textContent));
  assert.match(await page.textContent('#e-table'), /^notes\.bin: the table: /);
  assert.deepEqual(errors, []);
  await page.close();
});

test('your own CSV (13 features, 3 classes): chosen, searched, drawn, measured and saved as the runner does', { timeout: 240_000 }, async () => {
  const wine = join(root, 'tests/data/wine.csv');
  const { page, errors } = await openPage('#rollouts=30&seed=2', fromDisk());
  await page.setInputFiles('#data-file', wine);
  await page.waitForFunction(() => !document.getElementById('data-label').disabled);
  assert.equal(await page.inputValue('#data-label'), 'class', 'the last column, as the runner takes it');
  assert.equal(await page.$$eval('#data-label option', (o) => o.length), 14);
  await page.click('#start');
  await page.waitForFunction(() => window.piconas.phase === 'done', null, { timeout: 200_000 });
  assert.match(await page.textContent('#data-note'), /^On wine\.csv: 13 features, 3 classes\. .*the file must be chosen again\.$/);
  assert.match(await page.textContent('#legend'), /class_0 .*class_1 .*class_2 .*13 features drawn on their first two principal components/);
  assert.ok(await inked(page, 'moons') > 0.005, 'the projected points are drawn');
  assert.ok(!(await page.isVisible('#r-original')) && !(await page.isVisible('#r-ceiling')));
  // The confusion matrix and recall: 3 × 3 counts over the whole test split.
  const rows = await page.$$eval('#r-metrics tr', (r) => r.map((x) => [...x.cells].map((c) => c.textContent)));
  assert.deepEqual(rows[0], ['true ↓ predicted →', 'class_0', 'class_1', 'class_2', 'recall']);
  assert.equal(rows.length, 4);
  const counts = rows.slice(1).flatMap((r) => r.slice(1, 4).map(Number));
  // The same search as the runner's on the same file: rewards, test counts, network.json.
  const native = nativeRun(['--data', wine, '--rollouts', '30', '--seed', '2']);
  const rewards = await page.evaluate(() => Array.from(window.piconas.rewards));
  assert.deepEqual(rewards.map(f32Bits), native.rewardBits, 'page rewards = native rewards');
  assert.deepEqual(counts, native.summary.confusion_matrix.flat());
  const saved = await downloads(page);
  assert.ok(saved.json[1].equals(native.exports.json), 'network.json = the runner\'s');
  assert.ok(saved['c-int8'][1].equals(native.exports['c-int8']), 'the int8 header = piconas export\'s');
  // A file the reader refuses: its message (the runner's words) beside the field, nothing started.
  await page.setInputFiles('#data-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('a\n1\n') });
  await page.waitForFunction(() => document.getElementById('e-data').textContent !== '');
  assert.equal(await page.textContent('#e-data'), 'bad.csv:1: 1 columns; a data file has 1 to 64 features and a label');
  assert.deepEqual(errors, []);
  await page.close();
});

test('on a phone-sized screen every control and chart fits, and every control is labelled', { timeout: 120_000 }, async () => {
  const { page, errors } = await openPage('#rollouts=20&seed=1', fromDisk());
  await page.setViewportSize({ width: 390, height: 844 });
  await page.click('#start');
  await page.waitForFunction(() => window.piconas.phase === 'done', null, { timeout: 100_000 });
  // No horizontal scrolling: nothing reaches past the viewport's width.
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
  const past = await page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getClientRects().length > 0 && e.getBoundingClientRect().right > 390.5)
    .map((e) => `${e.tagName.toLowerCase()}#${e.id}`));
  assert.deepEqual(past, []);
  for (const id of ['start', 'moons', 'rewards', 'frontier', 'policy', 'data-file', 'r-metrics', 'downloads']) {
    assert.ok(await page.isVisible(`#${id}`), `#${id} is shown`);
  }
  // Every form control has a label (or text), so a screen reader names it; Tab reaches Start.
  const unnamed = await page.evaluate(() => [...document.querySelectorAll('input, select, button')]
    .filter((e) => !(e.labels?.length > 0 || e.textContent.trim() !== '' || e.getAttribute('aria-label')))
    .map((e) => e.id));
  assert.deepEqual(unnamed, []);
  await page.focus('#start');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'start');
  mkdirSync(join(root, 'target/browser'), { recursive: true });
  await page.screenshot({ path: join(root, 'target/browser/phone.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('random search on XOR after the controller: both curves on one chart', { timeout: 240_000 }, async () => {
  const { page, errors } = await openPage('#rollouts=60&seed=1&dataset=xor&maxEpochs=20&retrains=1');
  assert.equal(await page.inputValue('#s-dataset'), 'xor');
  await page.click('#start');
  await page.waitForFunction(() => window.piconas.phase === 'done', null, { timeout: 200_000 });
  assert.match(await page.textContent('#c-bayes'), /^9[89]\.\d %$/, 'the XOR ceiling');
  assert.ok(!(await page.isVisible('#r-original')), "the original's 91 % is for the moons only");
  const first = await page.evaluate(() => Array.from(window.piconas.rewards));
  await page.selectOption('#s-strategy', 'random');
  await page.click('#start');
  await page.waitForFunction(() => window.piconas.phase === 'done', null, { timeout: 200_000 });
  const overlays = await page.evaluate(() => window.piconas.overlays.map((o) => [o.label, Array.from(o.rewards)]));
  assert.deepEqual(overlays, [['reinforce · xor · seed 1', first]], 'the first search is kept as a curve');
  assert.equal(await page.getAttribute('#rewards', 'data-overlays'), '1');
  assert.match(page.url(), /strategy=random/);
  await page.click('#clear-overlays');
  assert.equal(await page.getAttribute('#rewards', 'data-overlays'), '0');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an invalid setting shows its message and starts nothing', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPage();
  for (const [field, value, message] of [
    ['noise', '-1', 'noise must be a number in [0, 10] (got -1)'],
    ['rollouts', 'many', 'rollouts must be an integer in 1..=10000000 (got "many")'],
    ['costWeight', '12', 'costWeight must be a number in [0, 10] (got 12)'],
    ['maxGradNorm', '-3', 'maxGradNorm must be a finite number > 0 (got -3)'],
    ['baselineDecay', '1.5', 'baselineDecay must be a number in [0, 1) (got 1.5)'],
  ]) {
    await page.fill(`#s-${field}`, value);
    await page.click('#start');
    await page.waitForFunction((f) => document.getElementById(`e-${f}`).textContent !== '', field);
    assert.equal(await page.textContent(`#e-${field}`), message);
    assert.ok(await page.isVisible(`#e-${field}`));
    assert.equal(await page.evaluate(() => window.piconas.phase), 'idle');
    assert.equal(await page.textContent('#c-rollout'), '0 / 0');
    assert.equal(await page.evaluate(() => window.piconas.rewards.length), 0);
    await page.fill(`#s-${field}`, { noise: '0.2', rollouts: '5000', costWeight: '0', maxGradNorm: '', baselineDecay: '0.95' }[field]);
  }
  // A budget without a part: the target field says what is missing; nothing starts.
  await page.fill('#s-maxFlash', '3000');
  await page.click('#start');
  await page.waitForFunction(() => document.getElementById('e-target').textContent !== '');
  assert.equal(await page.textContent('#e-target'),
    'target must be a part for a limit of flash, RAM or latency: atmega328p, cortex-m0, cortex-m4f (got host)');
  assert.equal(await page.evaluate(() => window.piconas.phase), 'idle');
  await page.fill('#s-maxFlash', '0');
  // The preset fills the fields (and "defaults" brings the defaults back).
  await page.selectOption('#s-preset', 'original');
  assert.equal(await page.inputValue('#s-controllerInput'), 'zeros');
  assert.equal(await page.inputValue('#s-shaping'), 'original');
  assert.equal(await page.inputValue('#s-baselineDecay'), 'none');
  await page.selectOption('#s-preset', 'defaults');
  assert.equal(await page.inputValue('#s-controllerInput'), 'previous');
  assert.equal(await page.inputValue('#s-baselineDecay'), '0.95');
  // The form is the core's settings table: every setting, in its order, each with a label.
  const form = await page.evaluate(() => [...document.querySelectorAll('#settings .field')]
    .map((f) => [f.dataset.name, f.querySelector('label').textContent]));
  assert.deepEqual(form.map(([name]) => name), [
    'preset', 'rollouts', 'seed', 'dataset', 'samples', 'noise', 'dataSeed', 'strategy', 'hidden',
    'rolloutsPerUpdate', 'childLr', 'maxEpochs', 'patience', 'minSteps', 'weightDecay', 'metric',
    'rewardFolds', 'rungs', 'rungEta', 'controllerLr', 'entropyWeight', 'maxGradNorm', 'baselineDecay',
    'controllerInput', 'lossPerStep', 'rewardEpoch', 'bestEpoch', 'devAccuracy', 'shaping',
    'finalists', 'retrains', 'folds', 'population', 'tournament', 'selection', 'costWeight',
    'cost', 'target', 'overBudget', 'maxFlash', 'maxRam', 'maxLatencyUs',
  ]);
  for (const [name, label] of form) assert.ok(label.length < 30, `${name} has a label: ${label}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('pause stops the search, step runs one rollout, reset clears it', { timeout: 120_000 }, async () => {
  const { page, errors } = await openPage('#rollouts=2000&seed=1');
  await page.click('#start');
  await page.waitForFunction(() => window.piconas.rewards.length >= 5, null, { timeout: 60_000 });
  await page.click('#pause');
  const completed = async () => Number((await page.textContent('#c-rollout')).split(' / ')[0]);
  // Let any slice that was under way when pause arrived finish and post.
  await page.waitForTimeout(500);
  const paused = await completed();
  await page.waitForTimeout(700);
  assert.equal(await completed(), paused, 'no rollouts while paused');
  assert.equal(await page.evaluate(() => window.piconas.phase), 'paused');
  await page.click('#step');
  await page.waitForFunction((n) => window.piconas.rewards.length === n + 1, paused, { timeout: 30_000 });
  assert.equal(await completed(), paused + 1, 'step runs exactly one rollout');
  await page.click('#start'); // resume
  await page.waitForFunction((n) => window.piconas.rewards.length > n + 3, paused, { timeout: 60_000 });
  await page.click('#reset');
  await page.waitForFunction(() => window.piconas.phase === 'idle', null, { timeout: 30_000 });
  assert.equal(await page.textContent('#c-rollout'), '0 / 0');
  assert.equal(await page.evaluate(() => window.piconas.rewards.length), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a search survives a reload and ends exactly as an uninterrupted one', { timeout: 300_000 }, async () => {
  // Long enough that the page keeps a checkpoint (every 2 s) well before the end, at any speed.
  const N = 1200;
  const hash = `#rollouts=${N}&seed=2&retrains=1&finalists=2`;
  const outcome = (page) => page.evaluate(() => [
    Array.from(window.piconas.rewards),
    // The controller's losses are kept with the search: the loss curve is whole after a reload.
    [window.piconas.lossStart, Array.from(window.piconas.losses)],
    Array.from(window.piconas.frontier?.points ?? []),
    document.getElementById('r-winner').textContent,
    document.getElementById('r-test').textContent,
  ]);
  const reference = await openPage(hash);
  await reference.page.click('#start');
  await reference.page.waitForFunction(() => window.piconas.phase === 'done', null, { timeout: 200_000 });
  const expected = await outcome(reference.page);
  await reference.page.close();

  const { page, errors } = await openPage(hash);
  await page.click('#start');
  await page.waitForFunction(
    () => (JSON.parse(localStorage.getItem('piconas.unfinished-search') ?? 'null')?.completed ?? 0) >= 20,
    null,
    { timeout: 120_000 },
  );
  await page.reload();
  await page.waitForFunction(() => window.piconas?.phase === 'idle', null, { timeout: 30_000 });
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem('piconas.unfinished-search')));
  assert.ok(saved.completed > 0 && saved.completed < N, `kept at ${saved.completed}`);
  assert.ok(await page.isVisible('#saved'), 'the page offers to continue');
  assert.match(await page.textContent('#saved-text'), new RegExp(`rollout ${saved.completed} of ${N}`));
  await page.click('#saved-continue');
  await page.waitForFunction(() => window.piconas.phase === 'done', null, { timeout: 200_000 });
  assert.deepEqual(await outcome(page), expected, 'continued after a reload, the search ends as the uninterrupted one');
  assert.equal(await page.evaluate(() => localStorage.getItem('piconas.unfinished-search')), null);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a page without its wasm build says how to build it', async () => {
  // www/ copied without pkg/, opened from disk: the missing build is named, nothing starts.
  const bare = mkdtempSync(join(tmpdir(), 'piconas-www-'));
  try {
    for (const f of ['index.html', 'main.js', 'draw.js', 'worker.js', 'style.css']) {
      writeFileSync(join(bare, f), readFileSync(join(www, f)));
    }
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(bare, 'index.html')).href);
    await page.waitForFunction(() => document.getElementById('c-state').textContent === 'not built');
    assert.match(await page.textContent('#status'), /www\/pkg\/piconas\.js.*README's page command/);
    assert.ok(await page.isDisabled('#start'));
    await page.close();
  } finally {
    rmSync(bare, { recursive: true, force: true });
  }
});

test('an invalid choice in the link is named beside its field and starts nothing', { timeout: 60_000 }, async () => {
  for (const [hash, field, message] of [
    ['#dataset=foo', 'dataset', 'dataset must be one of moons, circles, xor, spirals (got "foo")'],
    ['#hidden=7', 'hidden', 'hidden must be one of 16, 32, 64, 128 (got "7")'],
    ['#strategy=x', 'strategy', 'strategy must be one of reinforce, random, evolution (got "x")'],
  ]) {
    const { page, errors } = await openPage(hash);
    assert.equal(await page.inputValue(`#s-${field}`), hash.split('=')[1], 'the link is not rewritten');
    await page.click('#start');
    await page.waitForFunction((f) => document.getElementById(`e-${f}`).textContent !== '', field);
    assert.equal(await page.textContent(`#e-${field}`), message);
    assert.equal(await page.evaluate(() => window.piconas.phase), 'idle');
    assert.equal(await page.evaluate(() => location.hash), hash);
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('a damaged kept search is reported, discarded on request, and the page stays usable', { timeout: 60_000 }, async () => {
  for (const damaged of [
    '{"settings":{},"checkpoint":"!!not base64!!","history":"","completed":3,"rollouts":9}',
    '{"checkpoint":"AAAA","history":"","completed":3}',
    'not json',
  ]) {
    const { page, errors } = await openPage();
    await page.evaluate((v) => localStorage.setItem('piconas.unfinished-search', v), damaged);
    await page.reload();
    await page.waitForFunction(() => window.piconas?.phase === 'idle', null, { timeout: 30_000 });
    assert.ok(await page.isVisible('#saved'), damaged);
    assert.match(await page.textContent('#saved-text'), /A kept search is damaged/);
    assert.ok(!(await page.isVisible('#saved-continue')), 'it cannot be continued');
    await page.click('#saved-discard');
    assert.equal(await page.evaluate(() => localStorage.getItem('piconas.unfinished-search')), null);
    assert.ok(await page.isEnabled('#start'), 'the page stays usable');
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('reset takes effect at once, even in the middle of a very long rollout', { timeout: 60_000 }, async () => {
  // 20,000 points and no early stopping: the first child alone would take minutes.
  const { page, errors } = await openPage('#samples=20000&maxEpochs=100000&patience=100000&rollouts=3');
  await page.click('#start');
  await page.waitForFunction(() => window.piconas.phase === 'running', null, { timeout: 30_000 });
  await page.waitForTimeout(500);
  await page.click('#reset');
  // Before the worker was thrown away, this waited for the rollout: minutes.
  await page.waitForFunction(() => window.piconas.phase === 'idle', null, { timeout: 5_000 });
  assert.equal(await page.textContent('#c-rollout'), '0 / 0');
  assert.ok(await page.isEnabled('#start'));
  assert.deepEqual(errors, []);
  await page.close();
});
