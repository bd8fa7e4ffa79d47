// A budget's spend over its window as an SVG chart: a bar for each day's spend, a line for the total so
// far, a dashed line at the limit; the x axis spans the whole window, so the days left show as room.
// Drawn with attributes only (the policy allows no inline style); its words are the figure's label and
// the table of days beside it, which say what the picture shows.
import { svg } from './dom.js';

const DAY_MS = 86_400_000;
const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };

/** The days of the window, from its start's UTC day to the day before it resets. */
export const windowDays = (b) =>
  Math.max(
    1,
    Math.ceil((Date.parse(b.resetsAt) - (Date.parse(b.start) - (Date.parse(b.start) % DAY_MS))) / DAY_MS),
  );

/** The running total after each day. */
export function runningTotals(days) {
  let total = 0;
  return days.map((d) => {
    total += Number(d.spentUsd);
    return total;
  });
}

export function spendChart(b, label) {
  const limit = Number(b.limitUsd);
  const totals = runningTotals(b.days);
  const top = Math.max(limit, totals.at(-1) ?? 0, 0.01) * 1.1;
  const slots = windowDays(b);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i) => PAD.left + (i / slots) * plotW;
  const y = (usd) => PAD.top + plotH - (usd / top) * plotH;
  const step = plotW / slots;
  const bars = b.days.map((d, i) =>
    svg('rect', {
      class: 'day',
      x: x(i) + step * 0.15,
      y: y(Number(d.spentUsd)),
      width: step * 0.7,
      height: Math.max(0, PAD.top + plotH - y(Number(d.spentUsd))),
    }),
  );
  const line = totals.map((total, i) => `${x(i + 1).toFixed(1)},${y(total).toFixed(1)}`);
  const axisY = [...new Set([0, limit / 2, limit])].map((v) =>
    svg(
      'text',
      { class: 'tick', x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' },
      `$${Number(v.toFixed(2))}`,
    ),
  );
  const first = b.days[0]?.date ?? '';
  return svg(
    'svg',
    { class: 'spend-chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': label },
    svg('line', { class: 'axis', x1: PAD.left, x2: PAD.left + plotW, y1: y(0), y2: y(0) }),
    bars,
    totals.length
      ? svg('polyline', { class: 'total', points: `${x(0).toFixed(1)},${y(0).toFixed(1)} ${line.join(' ')}` })
      : undefined,
    svg('line', { class: 'limit', x1: PAD.left, x2: PAD.left + plotW, y1: y(limit), y2: y(limit) }),
    axisY,
    svg('text', { class: 'tick', x: PAD.left, y: HEIGHT - 8 }, first),
    svg(
      'text',
      { class: 'tick', x: PAD.left + plotW, y: HEIGHT - 8, 'text-anchor': 'end' },
      b.resetsAt.slice(0, 10),
    ),
  );
}
