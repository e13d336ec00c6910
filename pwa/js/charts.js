// Inline SVG charts sized for a phone: bars (with an optional target line)
// and a line with dots. Colours come from CSS classes; every chart carries
// a text title and a table-like description for screen readers.

import { svg } from './ui.js';

const W = 320;
const H = 160;
const PAD = { l: 36, r: 8, t: 14, b: 30 };

function frame(title, desc, testid) {
  const id = 'c' + Math.random().toString(36).slice(2, 8);
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, 'data-testid': testid },
    svg('title', { id: `${id}-t` }, title),
    svg('desc', { id: `${id}-d` }, desc));
}

function axis(el, max, ticks) {
  const ih = H - PAD.t - PAD.b;
  for (const v of ticks) {
    const y = PAD.t + ih - (v / max) * ih;
    el.append(svg('line', { x1: PAD.l, x2: W - PAD.r, y1: y, y2: y, class: 'grid' }));
    el.append(svg('text', { x: PAD.l - 4, y: y + 4, class: 'tick', 'text-anchor': 'end' }, String(v)));
  }
}

/**
 * bars draws one bar per item {label, value}; target draws a dashed line.
 * fmt formats values for the description.
 */
export function bars(items, { title, target, max, testid, fmt = String, ticks }) {
  const top = Math.max(1, max ?? Math.max(target || 0, ...items.map((i) => i.value || 0)));
  const el = frame(title, items.map((i) => `${i.label}: ${i.value == null ? '–' : fmt(i.value)}`).join(', '), testid);
  axis(el, top, ticks || [0, Math.round(top / 2), Math.round(top)].filter((v, i, a) => a.indexOf(v) === i));
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const slot = iw / Math.max(1, items.length);
  const bw = Math.min(28, slot * 0.6);
  items.forEach((it, i) => {
    const x = PAD.l + slot * i + (slot - bw) / 2;
    const v = Math.max(0, Math.min(top, it.value || 0));
    const hgt = (v / top) * ih;
    if (it.value) el.append(svg('rect', { x, y: PAD.t + ih - hgt, width: bw, height: Math.max(hgt, 1), rx: 3, class: 'bar' + (it.met ? ' met' : '') }));
    el.append(svg('text', { x: x + bw / 2, y: H - 8, class: 'tick', 'text-anchor': 'middle' }, it.label));
  });
  if (target) {
    const y = PAD.t + ih - (Math.min(target, top) / top) * ih;
    el.append(svg('line', { x1: PAD.l, x2: W - PAD.r, y1: y, y2: y, class: 'target' }));
  }
  return el;
}

// anchor keeps a label near the chart's edges inside the chart.
function anchor(x) {
  if (x < PAD.l + 12) return 'start';
  if (x > W - PAD.r - 12) return 'end';
  return 'middle';
}

/** line draws points {label, value} joined by a line (gaps for null). */
export function line(points, { title, testid, min, max, fmt = String }) {
  const vals = points.map((p) => p.value).filter((v) => v != null);
  const lo = min ?? Math.floor((Math.min(...vals, 200) - 5) / 10) * 10;
  const hi = max ?? Math.ceil((Math.max(...vals, 0) + 5) / 10) * 10;
  const el = frame(title, points.map((p) => `${p.label}: ${p.value == null ? '–' : fmt(p.value)}`).join(', '), testid);
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const span = Math.max(1, hi - lo);
  const ticks = [lo, Math.round((lo + hi) / 2), hi];
  for (const v of ticks) {
    const y = PAD.t + ih - ((v - lo) / span) * ih;
    el.append(svg('line', { x1: PAD.l, x2: W - PAD.r, y1: y, y2: y, class: 'grid' }));
    el.append(svg('text', { x: PAD.l - 4, y: y + 4, class: 'tick', 'text-anchor': 'end' }, String(v)));
  }
  const step = points.length > 1 ? iw / (points.length - 1) : 0;
  let d = '';
  points.forEach((p, i) => {
    const x = PAD.l + (points.length > 1 ? step * i : iw / 2);
    if (p.value == null) return;
    const y = PAD.t + ih - ((p.value - lo) / span) * ih;
    d += (d ? ' L' : 'M') + `${x.toFixed(1)} ${y.toFixed(1)}`;
    el.append(svg('circle', { cx: x, cy: y, r: 5, class: 'dot' }));
    // Few points: each shows its value; many: the last one does.
    if (points.length <= 6 || i === points.length - 1) {
      el.append(svg('text', { x, y: y - 10, class: 'val', 'text-anchor': anchor(x) }, String(p.value)));
    }
  });
  if (d) el.insertBefore(svg('path', { d, class: 'line' }), el.querySelector('circle'));
  // At most four dates fit a phone's width; the last one is always named,
  // and one too close before it is left out.
  const every = Math.ceil(points.length / 4);
  const last = points.length - 1;
  points.forEach((p, i) => {
    if (i !== last && (i % every !== 0 || last - i < every)) return;
    const x = PAD.l + (points.length > 1 ? step * i : iw / 2);
    el.append(svg('text', { x, y: H - 8, class: 'tick', 'text-anchor': anchor(x) }, p.label));
  });
  return el;
}
