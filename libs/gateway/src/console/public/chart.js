// Webhooks per minute by provider: a hand-written SVG stacked bar chart, drawn at the pixel width
// of its container (so its text stays readable on a phone), with a legend and a text summary.
import { html, useEffect, useRef, useState } from '../vendor/preact-htm.js';
import { formatClock, formatCount, KNOWN_PROVIDERS } from './ui.js';

const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 26, left: 40 };

/** A provider's colour class, stable whatever else is in the chart. */
export function seriesClass(provider) {
  const known = KNOWN_PROVIDERS.indexOf(provider);
  if (known >= 0) return `series-${known}`;
  let hash = 0;
  for (const char of provider) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `series-${hash % KNOWN_PROVIDERS.length}`;
}

/** 1, 2, 5, 10, 20, 50... at least `value`. */
function niceCeiling(value) {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function useWidth(ref, fallback) {
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    let frame = 0;
    const measure = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => ref.current && setWidth(Math.max(240, Math.floor(ref.current.clientWidth))));
    };
    measure();
    window.addEventListener('resize', measure);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('resize', measure);
    };
  }, []);
  return width;
}

/** Totals and the sentence a screen reader (or anyone) reads instead of the bars. */
export function summarize({ from, minutes, series }) {
  const totals = Array.from({ length: minutes }, (_, minute) => series.reduce((sum, one) => sum + (one.counts[minute] ?? 0), 0));
  const total = totals.reduce((sum, count) => sum + count, 0);
  if (total === 0) return { totals, total, text: 'No webhooks in the last hour.' };
  const byProvider = series
    .map((one) => ({ provider: one.provider, count: one.counts.reduce((sum, count) => sum + count, 0) }))
    .sort((a, b) => b.count - a.count)
    .map(({ provider, count }) => `${provider} ${formatCount(count)}`)
    .join(', ');
  const busiest = totals.indexOf(Math.max(...totals));
  const at = formatClock(new Date(Date.parse(from) + busiest * 60_000));
  return { totals, total, text: `${formatCount(total)} webhooks in the last hour: ${byProvider}. Busiest minute: ${at} (${formatCount(totals[busiest])}).` };
}

export function WebhookChart({ data }) {
  const box = useRef(null);
  const width = useWidth(box, 720);
  const { from, minutes, series } = data;
  const { totals, text } = summarize(data);
  const max = niceCeiling(Math.max(0, ...totals));
  const plotWidth = width - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / minutes;
  const barWidth = Math.max(1, slot * 0.78);
  const y = (value) => PAD.top + plotHeight - (value / max) * plotHeight;
  const start = Date.parse(from);
  const minuteAt = (minute) => new Date(start + minute * 60_000);
  const ticks = [0, max / 2, max].filter((tick, index, all) => Number.isInteger(tick) && all.indexOf(tick) === index);
  const labelEvery = width < 480 ? 20 : 10;

  const bars = [];
  for (let minute = 0; minute < minutes; minute++) {
    if (totals[minute] === 0) continue;
    let base = 0;
    const parts = [];
    for (const one of series) {
      const count = one.counts[minute] ?? 0;
      if (count === 0) continue;
      parts.push(
        html`<rect key=${one.provider} class=${seriesClass(one.provider)} x=${PAD.left + minute * slot + (slot - barWidth) / 2} y=${y(base + count)} width=${barWidth} height=${Math.max(1, y(base) - y(base + count))} />`,
      );
      base += count;
    }
    const label = `${formatClock(minuteAt(minute))}: ${series
      .filter((one) => (one.counts[minute] ?? 0) > 0)
      .map((one) => `${one.provider} ${one.counts[minute]}`)
      .join(', ')}`;
    bars.push(html`<g key=${minute} class="bar"><title>${label}</title>${parts}</g>`);
  }

  return html`<figure class="chart" ref=${box}>
    <svg width=${width} height=${HEIGHT} viewBox=${`0 0 ${width} ${HEIGHT}`} role="img" aria-labelledby="chart-summary">
      ${ticks.map(
        (tick) => html`<g key=${`y${tick}`} class="tick">
          <line x1=${PAD.left} x2=${width - PAD.right} y1=${y(tick)} y2=${y(tick)} />
          <text x=${PAD.left - 6} y=${y(tick) + 4} text-anchor="end">${tick}</text>
        </g>`,
      )}
      ${Array.from({ length: Math.floor(minutes / labelEvery) + 1 }, (_, index) => index * labelEvery)
        .filter((minute) => minute < minutes)
        .map((minute) => html`<text key=${`x${minute}`} class="axis" x=${PAD.left + minute * slot + slot / 2} y=${HEIGHT - 8} text-anchor="middle">${formatClock(minuteAt(minute))}</text>`)}
      <text class="axis" x=${width - PAD.right} y=${HEIGHT - 8} text-anchor="end">now</text>
      ${bars}
    </svg>
    <figcaption>
      <ul class="legend" aria-label="Providers">
        ${series.map((one) => html`<li key=${one.provider}><span class=${`swatch ${seriesClass(one.provider)}`} aria-hidden="true"></span>${one.provider}</li>`)}
      </ul>
      <p id="chart-summary" class="summary">${text}</p>
    </figcaption>
  </figure>`;
}
