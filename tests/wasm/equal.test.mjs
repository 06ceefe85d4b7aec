// The wasm build against the native runner: same settings, same seed ⇒ the same records, bit
// for bit, for the first 50 rollouts. Run by .ci/run after wasm/build.sh (wasm-pack --target nodejs) and `cargo build`:
//   node --test tests/wasm/
// PICONAS_BIN may name the native binary (default: target/debug/piconas).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const wasm = createRequire(import.meta.url)(join(root, 'target/pkg-node/piconas_wasm.js'));
const bin = process.env.PICONAS_BIN ?? join(root, 'target/debug/piconas');
const ROLLOUTS = 50;

function nativeRecords(flags, rollouts = ROLLOUTS) {
  const out = mkdtempSync(join(tmpdir(), 'piconas-'));
  try {
    const stdout = execFileSync(bin, [
      '--rollouts', String(rollouts), '--print-records', '--retrains', '1',
      '--out', join(out, 'run'), ...flags,
    ], { encoding: 'utf8' });
    return stdout.split('\n').filter((l) => /^\d+ \[/.test(l));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function wasmRecords(settings) {
  const nas = new wasm.Nas({ rollouts: ROLLOUTS, retrains: 1, ...settings });
  try {
    const progress = nas.step(ROLLOUTS);
    assert.equal(progress.completed, ROLLOUTS);
    return Array.from({ length: ROLLOUTS }, (_, i) => nas.recordBits(i));
  } finally {
    nas.free();
  }
}

test('default settings: wasm records equal native records', () => {
  const native = nativeRecords([]);
  assert.equal(native.length, ROLLOUTS);
  assert.deepEqual(wasmRecords({}), native);
});

test('other seed, data and controller: wasm records equal native records', () => {
  const native = nativeRecords([
    '--seed', '7', '--hidden', '16', '--rollouts-per-update', '3',
    '--samples', '300', '--noise', '0.3', '--data-seed', '5', '--max-epochs', '20',
  ]);
  const ours = wasmRecords({
    seed: 7, hidden: 16, rolloutsPerUpdate: 3, samples: 300, noise: 0.3, dataSeed: 5, maxEpochs: 20,
  });
  assert.deepEqual(ours, native);
});

for (const dataset of ['circles', 'xor', 'spirals']) {
  test(`${dataset}, random search and a cost weight: wasm records equal native records`, () => {
    const native = nativeRecords([
      '--dataset', dataset, '--strategy', 'random', '--cost-weight', '0.25', '--cost', 'params',
      '--max-epochs', '15',
    ]);
    const ours = wasmRecords({
      dataset, strategy: 'random', costWeight: 0.25, cost: 'params', maxEpochs: 15,
    });
    assert.deepEqual(ours, native);
  });
}

test('a budget on the ATmega328P: wasm records equal native records, over-budget ones 0', () => {
  const native = nativeRecords(['--target', 'atmega328p', '--max-latency-us', '1500']);
  const ours = wasmRecords({ target: 'atmega328p', maxLatencyUs: 1500 });
  assert.deepEqual(ours, native);
  // Some children were over the budget (reward 0, no epochs), some within it.
  // A record ends: reward, epochs, entropy, log-probability, baseline, beta.
  const zero = native.filter((l) => l.split(' ').slice(-6, -4).join(' ') === '00000000 0');
  assert.ok(zero.length > 0 && zero.length < ROLLOUTS, `${zero.length} of ${ROLLOUTS} over`);
});

test('the frontier and the rewards survive a resume: the history round-trips', () => {
  const settings = { rollouts: 30, maxEpochs: 5, retrains: 1, dataset: 'xor', costWeight: 0.1 };
  const nas = new wasm.Nas(settings);
  nas.step(20);
  const frontier = nas.frontier();
  assert.equal(frontier.length % 4, 0);
  const rows = Array.from({ length: frontier.length / 4 }, (_, k) => frontier.slice(4 * k, 4 * k + 4));
  // Sorted cheapest first; every flagged row beats all before it; samples add up to 20.
  let best = -Infinity;
  for (const [, accuracy, , on] of rows) {
    assert.equal(on === 1, accuracy > best);
    if (on) best = accuracy;
  }
  assert.deepEqual(rows.map((r) => r[0]), rows.map((r) => r[0]).sort((a, b) => a - b));
  assert.equal(rows.reduce((n, r) => n + r[2], 0), 20);
  assert.equal(nas.frontierArchs().length, rows.filter((r) => r[3] === 1).length);
  const again = wasm.Nas.resume(settings, nas.checkpoint(), nas.history(), nas.bestArch(),
    nas.bestWeights());
  assert.deepEqual(again.frontier(), frontier);
  assert.deepEqual(again.rewards(0), nas.rewards(0));
  assert.throws(() => wasm.Nas.resume(settings, nas.checkpoint(), new Uint8Array(5)),
    /saved search: not a piconas search history/);
  // The same search on other data (another data seed): refused, naming it.
  assert.throws(() => wasm.Nas.resume({ ...settings, dataSeed: 3 }, nas.checkpoint(), nas.history()),
    /saved search: checkpoint of a search on other data/);
  const history = nas.history();
  assert.throws(() => wasm.Nas.resume(settings, nas.checkpoint(), history.slice(0, -1)),
    /saved search: search history is \d+ bytes, expected \d+/);
  nas.free();
  again.free();
});

test('invalid settings throw an Error naming the setting and its range', () => {
  const cases = [
    [{ noise: -1 }, 'noise', 'noise must be a number in [0, 10] (got -1)'],
    [{ rollouts: 0 }, 'rollouts', 'rollouts must be an integer in 1..=10000000 (got 0)'],
    [{ samples: 10 }, 'samples', 'samples must be an integer in 20..=1000000 (got 10)'],
    [{ samples: 30000 }, 'samples', 'samples must be an integer in 20..=20000 (got 30000)'],
    [{ hidden: 48 }, 'hidden', 'hidden must be one of 16, 32, 64, 128 (got "48")'],
    [{ childLr: 0 }, 'childLr', 'childLr must be a finite number > 0 (got 0)'],
    [{ maxGradNorm: -2 }, 'maxGradNorm', 'maxGradNorm must be a finite number > 0 (got -2)'],
    [{ seed: 'x' }, 'seed', 'seed must be an integer in 0..=18446744073709551615 (got "x")'],
    [{ sead: 1 }, 'sead', 'unknown setting "sead"'],
    [{ dataset: 'swirls' }, 'dataset', 'dataset must be one of moons, circles, xor, spirals (got "swirls")'],
    [{ strategy: 'greedy' }, 'strategy', 'strategy must be one of reinforce, random, evolution (got "greedy")'],
    [{ costWeight: 11 }, 'costWeight', 'costWeight must be a number in [0, 10] (got 11)'],
    [{ maxFlash: 2000 }, 'target',
      'target must be a part for a limit of flash, RAM or latency: atmega328p, cortex-m0, cortex-m4f (got host)'],
    [{ target: 'atmega328p', maxFlash: 1000 }, 'maxFlash', 'maxFlash must be at least '],
  ];
  for (const [settings, field, message] of cases) {
    assert.throws(() => new wasm.Nas(settings), (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.field, field);
      assert.ok(e.message.startsWith(message), `${e.message} should start with ${message}`);
      return true;
    });
  }
});

test('defaults are the documented values', () => {
  const d = wasm.defaults();
  assert.equal(d.rollouts, 5000);
  assert.equal(d.noise, 0.2);
  assert.equal(d.samples, 1000);
  assert.equal(d.hidden, '64');
  assert.equal(d.childLr, 0.01);
  assert.equal(d.dataset, 'moons');
  assert.equal(d.strategy, 'reinforce');
  assert.equal(d.costWeight, 0);
  assert.equal(d.cost, 'macs');
  assert.equal(d.maxGradNorm, null);
});

// The command line's flags that make no sense on a page: files (and how a data file is read
// and split, until the page takes files), threads and the guess they speculate with (the page
// uses one helper worker per core and the default guess), the cache, printing.
// (`--preset` is not a setting either: it fills settings, as the page's preset choice does.)
const HOST_ONLY = ['preset', 'out', 'data', 'split', 'split-seed', 'label', 'standardize', 'threads',
  'speculate', 'cache', 'checkpoint-every', 'resume', 'quiet', 'print-records', 'help', 'version'];

test('the page and the command line offer the same settings, with the same defaults', () => {
  const help = execFileSync(bin, ['--help'], { encoding: 'utf8' });
  // An option's line is indented by at most six spaces; its wrapped help, by many more.
  const flags = [...help.matchAll(/^ {2,6}(?:-\w, )?--([a-z-]+)/gm)].map((m) => m[1]);
  const table = wasm.settingsTable();
  assert.deepEqual(
    flags.filter((f) => !HOST_ONLY.includes(f)),
    table.map((row) => row.flag.slice(2)),
    'every flag but the host-only ones is a page setting, in the same order',
  );
  const defaults = wasm.defaults();
  // One entry per option, its wrapped lines joined (the width depends on the terminal).
  const entries = help.split(/\n(?= {2,6}-)/).map((e) => e.replace(/\s+/g, ' ').trim());
  for (const row of table) {
    const line = entries.find((e) => e.startsWith(`${row.flag} `));
    const shown = line.match(/\[default: ([^\]]+)\]/)[1];
    assert.equal(shown, row.default === null ? 'none' : String(row.default), row.flag);
    assert.deepEqual(defaults[row.name], row.default, row.name);
  }
});

test('a resumed handle gives the records from where it resumed, and every loss kept', () => {
  const settings = { rollouts: 30, maxEpochs: 5, retrains: 1, seed: 2 };
  const whole = new wasm.Nas(settings);
  whole.step(30);
  const part = new wasm.Nas(settings);
  part.step(20);
  const again = wasm.Nas.resume(settings, part.checkpoint(), part.history(), part.bestArch(),
    part.bestWeights());
  again.step(10);
  assert.equal(again.recordBits(19), undefined, 'rollouts before the resume are not held');
  for (let i = 20; i < 30; i++) assert.equal(again.recordBits(i), whole.recordBits(i), `rollout ${i}`);
  assert.equal(again.recordBits(30), undefined);
  // The controller's losses, kept with the history, come back whole: those of the whole search.
  const withLosses = wasm.Nas.resume(settings, part.checkpoint(), part.history(), part.bestArch(),
    part.bestWeights(), part.losses(0));
  withLosses.step(10);
  assert.deepEqual(withLosses.losses(0), whole.losses(0));
  assert.equal(whole.losses(0).length, 30);
  // A search kept without them (by the page before it kept them): NaN before the resume.
  const losses = again.losses(0);
  assert.ok(losses.subarray(0, 20).every(Number.isNaN));
  assert.deepEqual(losses.subarray(20), whole.losses(20));
  assert.throws(() => wasm.Nas.resume(settings, part.checkpoint(), part.history(), part.bestArch(),
    part.bestWeights(), part.losses(1)), /saved search: a history of 20 rollouts and 19 losses/);
  for (const n of [whole, part, again, withLosses]) n.free();
});

test('saved weights that do not fit the saved architecture are refused', () => {
  const settings = { rollouts: 10, maxEpochs: 3, retrains: 1 };
  const nas = new wasm.Nas(settings);
  nas.step(10);
  const weights = nas.bestWeights();
  const resume = (w) => wasm.Nas.resume(settings, nas.checkpoint(), nas.history(), nas.bestArch(), w);
  assert.throws(() => resume(weights.slice(1)), /saved network: \d+ weights for an architecture of \d+/);
  const bad = Float32Array.from(weights);
  bad[0] = NaN;
  assert.throws(() => resume(bad), /saved network: weight 0 is not finite/);
  resume(weights).free();
  nas.free();
});

test('real data read by the handle: wasm records equal native records (wine, 13 features, 3 classes)', () => {
  const file = join(root, 'tests/data/wine.csv');
  const native = nativeRecords(['--data', file, '--split-seed', '4', '--max-epochs', '10']);
  assert.equal(native.length, ROLLOUTS);
  const bytes = readFileSync(file);
  const nas = wasm.Nas.withData({ rollouts: ROLLOUTS, retrains: 1, maxEpochs: 10 }, 'wine.csv', bytes,
    undefined, false, 4n);
  try {
    assert.deepEqual(Array.from(nas.shape()), [13, 3]);
    assert.deepEqual(nas.classes(), ['class_0', 'class_1', 'class_2']);
    assert.equal(nas.features()[12], 'proline');
    assert.ok(Number.isNaN(nas.bayesTest()), 'no ceiling is known for a file');
    assert.equal(nas.heatmap(4, 4, -1, 1, -1, 1).length, 0, 'no plane to draw for 13 features');
    nas.step(ROLLOUTS);
    const ours = Array.from({ length: ROLLOUTS }, (_, i) => nas.recordBits(i));
    assert.deepEqual(ours, native);
  } finally {
    nas.free();
  }
});

test('bad data gets the runner\'s own message', () => {
  const rows = Array.from({ length: 30 }, (_, i) => `${i},1,${i % 2}`).join('\n');
  const bad = new TextEncoder().encode(`${rows}\n1,x,0\n`);
  assert.throws(() => wasm.Nas.withData({}, 'mine.csv', bad, undefined, false, 0n),
    { message: 'mine.csv:31: x2 is not a number: "x"' });
  const eleven = Array.from({ length: 33 }, (_, i) => `${i},1,${i % 11}`).join('\n');
  assert.throws(() => wasm.Nas.withData({}, 'mine.csv', new TextEncoder().encode(eleven),
    undefined, false, 0n), /11 classes, but this build takes 1 to 64 features and 2 to 10 classes/);
});

test('data errors name what the page offers, in its words, and never a command-line flag', () => {
  const header = 'a,b,kind\n';
  const rows = Array.from({ length: 30 }, (_, i) => `${i},1,${i % 2}`).join('\n');
  const csv = new TextEncoder().encode(`${header}${rows}\n`);
  // The label menu is the page's "Label column".
  assert.throws(() => wasm.Nas.withData({}, 'mine.csv', csv, 'zz', false, 0n),
    { message: 'mine.csv:1: Label column "zz": no such column in the header' });
  // The page splits stratified only: a class too small gets no advice to split in file order.
  const small = new TextEncoder().encode(`${header}${rows}\n5,5,2\n`);
  assert.throws(() => wasm.Nas.withData({}, 'mine.csv', small, undefined, false, 0n), (e) => {
    assert.equal(e.field, 'data');
    assert.match(e.message, /^mine\.csv: class "2" has 1 row, too few .* give more rows of it$/);
    assert.doesNotMatch(e.message, /--|in-order/);
    return true;
  });
});

// The page's finish on its helpers (wasm/src/finals.rs): the runs each round asks for are
// trained on helper handles, in reverse order, and handed back; the report and every export are
// the one-worker finish's, cross-validated or by retrains. A round left half answered (a helper
// that never came back) is finished on the search's own handle, the same bits.
test('the finish on helpers is the one-worker finish', () => {
  const formats = Array.from(wasm.exportFormats(), ([name]) => name);
  const ended = (nas) => {
    const f = nas.finish();
    const report = [f.winner, f.devMean, f.test, f.members, f.testMean, f.testMin, f.testMax, f.folds, f.runs];
    f.free();
    return [report, formats.map((name) => Buffer.from(nas.export(name)).toString('base64'))];
  };
  for (const extra of [{}, { folds: 1, retrains: 3 }]) {
    const settings = { rollouts: 30, finalists: 3, ...extra };
    const plain = new wasm.Nas(settings);
    const handles = [0, 1, 2].map(() => new wasm.Nas(settings));
    const [piped, half, helper] = handles;
    try {
      plain.step(30);
      const want = ended(plain);
      for (const nas of [piped, half]) nas.step(30);
      let rounds = 0;
      for (let tasks = piped.finalTasks(); tasks.length > 0 && rounds < 9; tasks = piped.finalTasks()) {
        rounds += 1;
        for (const t of tasks.reverse()) {
          const o = helper.trainFinal(t.arch, t.run, t.tested);
          piped.finalDone(t.arch, t.run, t.tested, o.reward, o.epochs, o.bestEpoch, o.diverged, o.test,
            o.weights);
          o.free();
          t.free();
        }
      }
      // A round per finalist, then with folds the winner's, tested: then nothing is missing.
      assert.ok(rounds >= 2 && rounds <= 4, `${rounds} rounds`);
      assert.equal(piped.finalTasks().length, 0);
      assert.deepEqual(ended(piped), want, JSON.stringify(extra));
      const [first] = half.finalTasks();
      const o = helper.trainFinal(first.arch, first.run, first.tested);
      half.finalDone(first.arch, first.run, first.tested, o.reward, o.epochs, o.bestEpoch, o.diverged,
        o.test, o.weights);
      assert.deepEqual(ended(half), want, `half answered, ${JSON.stringify(extra)}`);
      // Weights that do not fit the architecture are refused with a message.
      assert.throws(() => half.finalDone(first.arch, 0, false, 0.5, 1, 1, false, 0, new Float32Array(3)),
        /final run 0 of/);
    } finally {
      plain.free();
      handles.forEach((h) => h.free());
    }
  }
});

// The page's speculative pipeline (wasm/src/pipeline.rs): a coordinating handle hands tasks
// to helper handles on the same settings, which bring outcomes back in a scrambled order; the
// records are the native runner's. Also `step` with the pipeline on (training the awaited
// child itself), and the heatmap's best network trained again to the same weights.
test('the pipeline with helpers gives the native records, whatever the order', () => {
  const native = nativeRecords([]);
  for (const [guess, helpers] of [['draws', 2], ['greedy', 3], ['recent', 1]]) {
    const settings = { rollouts: ROLLOUTS, retrains: 1 };
    const nas = new wasm.Nas(settings);
    const workers = Array.from({ length: helpers }, () => new wasm.Nas(settings));
    try {
      assert.equal(nas.speculate(guess, helpers), true);
      const busy = []; // [task, helper]
      let reported = 0;
      let turn = 0;
      while (reported < ROLLOUTS) {
        while (nas.reportReady()) reported += 1;
        for (let h = 0; h < helpers; h += 1) {
          if (busy.some(([, b]) => b === h)) continue;
          const task = nas.nextTask();
          if (!task) break;
          busy.push([task, h]);
        }
        if (reported >= ROLLOUTS) break;
        // A helper that is not the first to start may finish first.
        turn += 1;
        const [task, h] = busy.splice(turn % busy.length, 1)[0];
        const o = workers[h].trainTask(task.index, task.arch, task.bars);
        nas.taskDone(task.index, task.arch, task.bars, o.reward, o.epochs, o.bestEpoch, o.diverged,
          o.scores);
      }
      const records = Array.from({ length: ROLLOUTS }, (_, i) => nas.recordBits(i));
      assert.deepEqual(records, native, `${guess} with ${helpers} helpers`);
      const [guessed, hits, rollouts] = nas.speculation();
      assert.equal(rollouts, ROLLOUTS);
      assert.ok(hits <= guessed && (guess !== 'draws' || hits > 0), `${guess}: ${hits} of ${guessed}`);
    } finally {
      nas.free();
      workers.forEach((w) => w.free());
    }
  }
  // With rungs (three on the moons' 700 train rows, scored on the dev split), long enough for
  // the bars to stop children: the bars go to the helpers and the rung scores come back.
  const long = 70;
  const rungs = nativeRecords(['--rungs', '3', '--reward-folds', '1'], long);
  const nas = new wasm.Nas({ rollouts: long, retrains: 1, rungs: '3', rewardFolds: 1 });
  const helper = new wasm.Nas({ rollouts: long, retrains: 1, rungs: '3', rewardFolds: 1 });
  try {
    assert.equal(nas.speculate('draws', 2), true);
    let reported = 0;
    const held = [];
    while (reported < long) {
      while (nas.reportReady()) reported += 1;
      for (let task = nas.nextTask(); task; task = nas.nextTask()) held.push(task);
      const task = held.pop();
      if (!task) continue;
      const o = helper.trainTask(task.index, task.arch, task.bars);
      nas.taskDone(task.index, task.arch, task.bars, o.reward, o.epochs, o.bestEpoch, o.diverged,
        o.scores);
    }
    const records = Array.from({ length: long }, (_, i) => nas.recordBits(i));
    assert.deepEqual(records, rungs);
  } finally {
    nas.free();
    helper.free();
  }
  // `step` with the pipeline on, and the best network for the heatmap, as without it.
  const plain = new wasm.Nas({ rollouts: ROLLOUTS, retrains: 1 });
  const piped = new wasm.Nas({ rollouts: ROLLOUTS, retrains: 1 });
  try {
    assert.equal(piped.speculate('draws', 2), true);
    plain.step(ROLLOUTS);
    assert.equal(piped.step(ROLLOUTS).completed, ROLLOUTS);
    const records = Array.from({ length: ROLLOUTS }, (_, i) => piped.recordBits(i));
    assert.deepEqual(records, native);
    assert.deepEqual(piped.bestWeights(), plain.bestWeights());
    assert.equal(piped.bestArch(), plain.bestArch());
  } finally {
    plain.free();
    piped.free();
  }
  // No pipeline for batched updates, or for an unknown guess.
  const batched = new wasm.Nas({ rolloutsPerUpdate: 2 });
  assert.equal(batched.speculate('draws', 2), false);
  assert.equal(batched.speculate('often', 2), false);
  batched.free();
});

test('the original preset: wasm records equal native records, penalties and all', () => {
  const native = nativeRecords(['--preset', 'original']);
  const [original] = wasm.presets().filter((p) => p.name === 'original');
  const ours = wasmRecords({ ...original.settings, rollouts: ROLLOUTS, retrains: 1 });
  assert.deepEqual(ours, native);
  assert.equal(original.settings.controllerInput, 'zeros');
  assert.equal(original.settings.baselineDecay, null);
});


test("the page's controller losses are the records' -(R - b) log pi - beta H", () => {
  const nas = new wasm.Nas({ rollouts: 20, maxEpochs: 3, retrains: 1 });
  try {
    nas.step(20);
    const losses = nas.losses(0);
    assert.equal(losses.length, 20);
    assert.equal(nas.losses(15).length, 5);
    const f = (hex) => new Float32Array(new Uint32Array([parseInt(hex, 16)]).buffer)[0];
    const f32 = Math.fround;
    for (let i = 0; i < 20; i += 1) {
      // `index arch reward epochs entropy log_prob baseline beta`, the arch in brackets.
      const [, rest] = nas.recordBits(i).split('] ');
      const [reward, , entropy, logProb, baseline, beta] = rest.split(' ').map((v, k) => (k === 1 ? 0 : f(v)));
      const loss = f32(f32(f32(-f32(reward - baseline)) * logProb) - f32(beta * entropy));
      assert.equal(losses[i], loss, `rollout ${i}`);
    }
  } finally {
    nas.free();
  }
});
