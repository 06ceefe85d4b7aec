// Canvas drawing. Pure functions of what the worker posted; no state of their own.

// Token names in controller order — must match `Token::ALL` in core/src/arch.rs.
const TOKENS = ['1', '2', '4', '8', '16', 'Sigmoid', 'Tanh', 'ReLU', 'LeakyReLU', 'EOS'];
// Steps per architecture — must match `MAX_TOKENS` in core/src/arch.rs.
const MAX_TOKENS = 6;
// The original PyTorch search's test accuracy after 5000 rollouts.
const ORIGINAL_TEST_ACC = 0.91;
// The controller's loss in the reward chart (as in the runner's rewards.svg).
const LOSS_COLOUR = '#8e44ad';

const C0 = [232, 113, 10];
const C1 = [26, 115, 232];
// One colour per class (up to 10): the moons' two first (the heatmap's too: `CLASS0`,
// `CLASS1` in wasm/src/lib.rs must match them), then well-separated hues.
const CLASS_COLOURS = [C0, C1, [46, 160, 67], [214, 39, 40], [148, 103, 189], [140, 86, 75],
  [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];

function clear(ctx) {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
}

/**
 * The data (train ●, dev ○, test ◆), coloured by class, over the best network's probability
 * heatmap when it has one (two features, two classes). `data.points` are two coordinates per
 * point: the features, or their first two principal components.
 */
function drawMoons(canvas, data, heatmap) {
  const ctx = canvas.getContext('2d');
  clear(ctx);
  const { grid } = data;
  const W = canvas.width, H = canvas.height;
  const sx = (x) => ((x - grid.x0) / (grid.x1 - grid.x0)) * W;
  const sy = (y) => H - ((y - grid.y0) / (grid.y1 - grid.y0)) * H;
  if (heatmap instanceof ImageData) {
    // Rendered by the wasm handle (Nas.heatmapImage): the grid's pixels, top row first.
    const off = new OffscreenCanvas(heatmap.width, heatmap.height);
    off.getContext('2d').putImageData(heatmap, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, W, H);
  }
  const [nTrain, nDev] = data.split;
  for (let k = 0; k < data.labels.length; k++) {
    const x = sx(data.points[2 * k]), y = sy(data.points[2 * k + 1]);
    const colour = `rgb(${CLASS_COLOURS[data.labels[k] % CLASS_COLOURS.length]})`;
    ctx.beginPath();
    if (k < nTrain) {
      ctx.arc(x, y, 2.6, 0, 2 * Math.PI);
      ctx.fillStyle = colour; ctx.fill();
      ctx.lineWidth = 0.6; ctx.strokeStyle = 'white'; ctx.stroke();
    } else if (k < nTrain + nDev) {
      ctx.arc(x, y, 3.6, 0, 2 * Math.PI);
      ctx.lineWidth = 1.6; ctx.strokeStyle = colour; ctx.stroke();
    } else {
      ctx.moveTo(x, y - 3.4); ctx.lineTo(x + 3.4, y); ctx.lineTo(x, y + 3.4); ctx.lineTo(x - 3.4, y); ctx.closePath();
      ctx.fillStyle = colour; ctx.fill();
      ctx.lineWidth = 0.8; ctx.strokeStyle = '#222'; ctx.stroke();
    }
  }
}

// Colours of the earlier searches' curves, oldest first.
const OVERLAY_COLOURS = ['#8e6c8a', '#5b8c5a', '#c98a2b', '#4a6fa5'];

/** The trailing mean over `window` (shorter at the start), as [i, mean] pairs. */
function movingAverage(values, window) {
  const out = new Float32Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    out[i] = sum / Math.min(i + 1, window);
  }
  return out;
}

/**
 * Reward per rollout, its moving average, the Bayes ceiling and (on the moons) the original's
 * 91 %; `overlays` are earlier searches' rewards, drawn as faded moving averages with a legend.
 */
function drawRewards(canvas, rewards, total, bayes, {
  overlays = [], original = true, losses = [], lossStart = 0, table = null,
} = {}) {
  const ctx = canvas.getContext('2d');
  clear(ctx);
  const W = canvas.width, H = canvas.height;
  const L = 44, R = 10, T = 10, B = 28;
  const lo = 0.5;
  const n = Math.max(total, 1, ...overlays.map((o) => o.total));
  const px = (i) => L + ((W - L - R) * i) / n;
  const py = (v) => T + (H - T - B) * (1 - (Math.min(Math.max(v, lo), 1) - lo) / (1 - lo));
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#555'; ctx.strokeStyle = '#eee'; ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  for (let v = lo; v <= 1.0001; v += 0.1) {
    ctx.beginPath(); ctx.moveTo(L, py(v)); ctx.lineTo(W - R, py(v)); ctx.stroke();
    ctx.fillText(v.toFixed(1), L - 5, py(v) + 4);
  }
  ctx.textAlign = 'center';
  const step = niceStep(n / 6);
  for (let i = 0; i <= n; i += step) ctx.fillText(String(i), px(i), H - 10);
  // A dashed reference line at `v`, labelled from `at` (a fraction of the width: labels of
  // lines close together stay apart).
  const ref = (v, colour, label, at = 0) => {
    ctx.setLineDash([6, 4]); ctx.strokeStyle = colour; ctx.lineWidth = 1.3;
    ctx.beginPath(); ctx.moveTo(L, py(v)); ctx.lineTo(W - R, py(v)); ctx.stroke();
    ctx.setLineDash([]); ctx.fillStyle = colour; ctx.textAlign = 'left';
    ctx.fillText(label, L + 6 + at * (W - L - R), py(v) - 4);
  };
  if (original) ref(ORIGINAL_TEST_ACC, '#777', `original's test accuracy ${Math.round(ORIGINAL_TEST_ACC * 100)} %`);
  const windowOf = (count) => Math.max(5, Math.min(100, Math.floor(count / 20)));
  const curve = (values, window) => {
    const m = movingAverage(values, window);
    ctx.beginPath();
    for (let i = 0; i < m.length; i++) {
      if (i === 0) ctx.moveTo(px(i + 0.5), py(m[i])); else ctx.lineTo(px(i + 0.5), py(m[i]));
    }
    ctx.stroke();
  };
  overlays.forEach((o, k) => {
    const colour = OVERLAY_COLOURS[k % OVERLAY_COLOURS.length];
    ctx.globalAlpha = 0.75; ctx.strokeStyle = colour; ctx.lineWidth = 1.6;
    curve(o.rewards, windowOf(o.total));
    ctx.globalAlpha = 1; ctx.fillStyle = colour; ctx.textAlign = 'left';
    ctx.fillText(`— ${o.label}`, L + 8, H - B - 8 - 14 * (overlays.length - 1 - k) - 14);
  });
  if (Number.isFinite(bayes)) ref(bayes, '#2e7d32', `Bayes ceiling ${(bayes * 100).toFixed(1)} %`);
  // The table's best mean dev accuracy: the reward no architecture of its space beats on average.
  if (table) ref(table.best, '#b8860b', `the table's best ${(table.best * 100).toFixed(1)} % (${table.bestArch})`, 0.4);
  canvas.dataset.table = table ? String(table.best) : '';
  ctx.fillStyle = 'rgba(26, 115, 232, 0.5)';
  for (let i = 0; i < rewards.length; i++) ctx.fillRect(px(i + 0.5) - 1.2, py(rewards[i]) - 1.2, 2.4, 2.4);
  const window = windowOf(Math.max(total, 1));
  ctx.strokeStyle = '#d0021b'; ctx.lineWidth = 2;
  curve(rewards, window);
  ctx.fillStyle = '#d0021b'; ctx.textAlign = 'right';
  ctx.fillText(`moving average of ${window}`, W - R - 4, H - B - 6);
  drawLoss(ctx, losses, lossStart, window, { px, T, B, H, W, R });
  canvas.dataset.points = String(rewards.length);
  canvas.dataset.losses = String(losses.length);
  canvas.dataset.overlays = String(overlays.length);
}

/**
 * The controller's loss (its moving average over `window`) on a scale of its own, from its
 * least to its greatest value (labelled at the right edge), from rollout `start` on.
 */
function drawLoss(ctx, losses, start, window, { px, T, B, H, W, R }) {
  const m = movingAverage(losses, window);
  if (m.length === 0) return;
  const lo = Math.min(...m), hi = Math.max(...m);
  const span = hi > lo ? hi - lo : 1;
  const y = (v) => T + (H - T - B) * (1 - (v - lo) / span);
  ctx.strokeStyle = LOSS_COLOUR; ctx.lineWidth = 1.3;
  ctx.beginPath();
  m.forEach((v, i) => (i === 0 ? ctx.moveTo : ctx.lineTo).call(ctx, px(start + i + 0.5), y(v)));
  ctx.stroke();
  ctx.fillStyle = LOSS_COLOUR; ctx.textAlign = 'right';
  ctx.fillText(`controller loss ${hi.toFixed(3)}`, W - R - 4, T + 12);
  ctx.fillText(`${lo.toFixed(3)} (own scale)`, W - R - 4, H - B - 20);
}

/**
 * The accuracy/size frontier: every architecture seen as a dot (cost on a log axis, mean dev
 * accuracy), the frontier as a red step line with its cheapest and most accurate ends named.
 */
function drawFrontier(canvas, frontier, bayes) {
  const ctx = canvas.getContext('2d');
  clear(ctx);
  const W = canvas.width, H = canvas.height;
  const L = 44, R = 10, T = 10, B = 30;
  const lo = 0.5;
  const pts = frontier?.points ?? new Float32Array(0);
  const n = pts.length / 4;
  let cmin = Infinity, cmax = 0;
  for (let k = 0; k < n; k++) { cmin = Math.min(cmin, pts[4 * k]); cmax = Math.max(cmax, pts[4 * k]); }
  const l0 = n ? Math.floor(Math.log10(Math.max(cmin, 1))) : 0;
  const l1 = n ? Math.max(Math.ceil(Math.log10(Math.max(cmax, 1))), l0 + 1) : 3;
  const px = (c) => L + ((W - L - R) * (Math.log10(Math.max(c, 1)) - l0)) / (l1 - l0);
  const py = (v) => T + (H - T - B) * (1 - (Math.min(Math.max(v, lo), 1) - lo) / (1 - lo));
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#555'; ctx.strokeStyle = '#eee'; ctx.lineWidth = 1; ctx.textAlign = 'right';
  for (let v = lo; v <= 1.0001; v += 0.1) {
    ctx.beginPath(); ctx.moveTo(L, py(v)); ctx.lineTo(W - R, py(v)); ctx.stroke();
    ctx.fillText(v.toFixed(1), L - 5, py(v) + 4);
  }
  ctx.textAlign = 'center';
  for (let d = l0; d <= l1; d++) {
    ctx.textAlign = d === l1 ? 'right' : 'center';
    ctx.fillText(String(10 ** d), px(10 ** d), H - 16);
  }
  ctx.textAlign = 'center';
  const unit = frontier?.unit ?? 'multiply-adds per sample';
  ctx.fillText(`${unit} (log scale)`, L + (W - L - R) / 2, H - 3);
  if (Number.isFinite(bayes)) {
    ctx.setLineDash([6, 4]); ctx.strokeStyle = '#2e7d32'; ctx.lineWidth = 1.3;
    ctx.beginPath(); ctx.moveTo(L, py(bayes)); ctx.lineTo(W - R, py(bayes)); ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.fillStyle = 'rgba(26, 115, 232, 0.35)';
  for (let k = 0; k < n; k++) {
    if (!pts[4 * k + 3]) ctx.fillRect(px(pts[4 * k]) - 1.5, py(pts[4 * k + 1]) - 1.5, 3, 3);
  }
  const on = [];
  for (let k = 0; k < n; k++) if (pts[4 * k + 3]) on.push([px(pts[4 * k]), py(pts[4 * k + 1])]);
  ctx.strokeStyle = '#d0021b'; ctx.lineWidth = 2; ctx.beginPath();
  on.forEach(([x, y], i) => { if (i === 0) ctx.moveTo(x, y); else { ctx.lineTo(x, on[i - 1][1]); ctx.lineTo(x, y); } });
  ctx.stroke();
  ctx.fillStyle = '#d0021b';
  for (const [x, y] of on) { ctx.beginPath(); ctx.arc(x, y, 3, 0, 2 * Math.PI); ctx.fill(); }
  const archs = frontier?.archs ?? [];
  if (on.length) {
    ctx.font = '11px ui-monospace, monospace';
    ctx.textAlign = 'left'; ctx.fillText(archs[0] ?? '', on[0][0] + 6, on[0][1] + 14);
    ctx.textAlign = 'right';
    const [x, y] = on[on.length - 1];
    ctx.fillText(archs[archs.length - 1] ?? '', Math.min(x, W - R), Math.max(y - 8, T + 18));
  }
  canvas.dataset.points = String(n);
  canvas.dataset.frontier = String(on.length);
}

function niceStep(raw) {
  const m = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  return [1, 2, 5, 10].map((k) => k * m).find((s) => s >= raw) ?? 10 * m;
}

/** The controller's token probabilities, steps across, tokens down. */
function drawPolicy(canvas, policy) {
  const ctx = canvas.getContext('2d');
  clear(ctx);
  const W = canvas.width, H = canvas.height;
  const L = 80, T = 20;
  const cw = (W - L - 10) / MAX_TOKENS, ch = (H - T - 4) / TOKENS.length;
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'right'; ctx.fillStyle = '#333';
  TOKENS.forEach((t, k) => ctx.fillText(t, L - 8, T + ch * (k + 0.65)));
  ctx.textAlign = 'center';
  for (let s = 0; s < MAX_TOKENS; s++) ctx.fillText(`step ${s + 1}`, L + cw * (s + 0.5), 13);
  if (!policy) return;
  for (let s = 0; s < MAX_TOKENS; s++) {
    const row = policy.subarray(s * TOKENS.length, (s + 1) * TOKENS.length);
    if (row.every((p) => p === 0)) continue; // past the sequence's end
    const best = row.indexOf(Math.max(...row));
    for (let k = 0; k < TOKENS.length; k++) {
      const p = row[k];
      ctx.fillStyle = `rgba(26, 115, 232, ${0.06 + 0.94 * p})`;
      ctx.fillRect(L + cw * s + 1, T + ch * k + 1, cw - 2, ch - 2);
      if (k === best) { ctx.strokeStyle = '#111'; ctx.lineWidth = 1.5; ctx.strokeRect(L + cw * s + 1, T + ch * k + 1, cw - 2, ch - 2); }
      if (p >= 0.05) {
        ctx.fillStyle = p > 0.55 ? 'white' : '#123';
        ctx.fillText(`${Math.round(p * 100)}%`, L + cw * (s + 0.5), T + ch * (k + 0.65));
      }
    }
  }
}

/** The architecture `[16, Tanh, 8, ReLU]` as a strip of chips: input → layers → output. */
function renderArch(el, arch, d = 2, k = 2) {
  el.replaceChildren();
  if (!arch) {
    const none = document.createElement('span');
    none.className = 'muted'; none.textContent = 'none yet';
    el.append(none);
    return;
  }
  const tokens = arch.replace(/^\[|\]$/g, '').split(',').map((t) => t.trim()).filter(Boolean);
  const chip = (text, kind) => {
    if (el.childElementCount) {
      const a = document.createElement('span'); a.className = 'arrow'; a.textContent = '→'; el.append(a);
    }
    const c = document.createElement('span'); c.className = `chip ${kind}`; c.textContent = text; el.append(c);
  };
  chip(`input ${d}`, 'io');
  for (const t of tokens) chip(/^\d+$/.test(t) ? `linear ${t}` : t, /^\d+$/.test(t) ? 'linear' : 'act');
  chip(`linear ${k} → class`, 'io');
}
