// Speed of the search in the page, for the README's browser-vs-native figure (not a test):
//   node tests/browser/measure.mjs [ROLLOUTS] [SEED] [CORES]
// (CORES: what the page is told `navigator.hardwareConcurrency` is; 1 runs without helpers.)
// Runs the default search for ROLLOUTS (300) rollouts in headless Chromium and prints the
// page's own rollouts/s (rollouts over the time spent stepping, finish excluded) as JSON, and
// the data panel's frame: the median time to compute the decision heatmap (in the worker) and
// to draw the panel (on the page), in ms.
import { launchChromium, serveWww } from './harness.mjs';

const rollouts = Number(process.argv[2] ?? 300);
const seed = Number(process.argv[3] ?? 0);
const cores = process.argv[4] === undefined ? null : Number(process.argv[4]);
const server = await serveWww();
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  if (cores !== null) {
    await page.addInitScript((n) => Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => n }), cores);
  }
  await page.goto(`${server.base}#rollouts=${rollouts}&seed=${seed}&retrains=1&finalists=1`);
  await page.waitForFunction(() => window.piconas?.phase === 'idle', null, { timeout: 30_000 });
  await page.click('#start');
  await page.waitForFunction(() => window.piconas.phase === 'done', null, { timeout: 600_000 });
  const rate = Number(await page.textContent('#c-rate'));
  const ahead = await page.textContent('#c-ahead');
  const frames = await page.evaluate(() => window.piconas.frames);
  const median = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
  console.log(JSON.stringify({
    rollouts, seed, rollouts_per_s: rate, ms_per_rollout: 1000 / rate, trained_ahead: ahead, frames: frames.length,
    heatmap_ms: median(frames.map((f) => f[0])), draw_ms: median(frames.map((f) => f[1])),
  }));
} finally {
  await browser.close();
  server.close();
}
