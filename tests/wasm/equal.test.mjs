// The wasm build against the native runner: same settings, same seed ⇒ the same records, bit
// for bit, for the first 50 rollouts. Run by .ci/run after wasm/build.sh and `cargo build`:
//   node --test tests/wasm/
// PICONAS_BIN may name the native binary (default: target/debug/piconas).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const wasm = createRequire(import.meta.url)(join(root, 'target/pkg-node/piconas_wasm.js'));
const bin = process.env.PICONAS_BIN ?? join(root, 'target/debug/piconas');
const ROLLOUTS = 50;

function nativeRecords(flags) {
  const out = mkdtempSync(join(tmpdir(), 'piconas-'));
  try {
    const stdout = execFileSync(bin, [
      '--rollouts', String(ROLLOUTS), '--print-records', '--retrains', '1',
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

test('invalid settings throw an Error naming the setting and its range', () => {
  const cases = [
    [{ noise: -1 }, 'noise', 'noise must be a number in [0, 10] (got -1)'],
    [{ rollouts: 0 }, 'rollouts', 'rollouts must be an integer in 1..=10000000 (got 0)'],
    [{ samples: 10 }, 'samples', 'samples must be an integer in 20..=20000 (got 10)'],
    [{ hidden: 48 }, 'hidden', 'hidden must be one of 16, 32, 64 (got 48)'],
    [{ childLr: 0 }, 'childLr', 'childLr must be a finite number > 0 (got 0)'],
    [{ seed: 'x' }, 'seed', 'seed must be a number (got "x")'],
    [{ sead: 1 }, 'sead', 'unknown setting "sead"'],
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
  assert.equal(d.hidden, 64);
  assert.equal(d.childLr, 0.01);
});
