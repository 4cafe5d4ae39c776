/**
 * The HTML report's charts as inline SVG strings, drawn here rather than by a browser library so
 * that the page needs nothing from the network and every value from the logs passes one escape
 * function (a log line's address or user agent must never become markup).
 */
import type { SourcePoint, TrafficBucket } from './report.js';

/** Colours the charts use; the screenshot test looks for exactly these pixels in each chart's box. */
export const COLOURS = {
  ACCEPT: '#2e7d32',
  REJECT: '#c62828',
  /** Any other `action` value, in order of appearance. */
  others: ['#1565c0', '#6a1b9a', '#ef6c00'],
  bar: '#1565c0',
  land: '#cfd8dc',
  point: '#d84315',
  axis: '#78909c',
  text: '#263238',
} as const;

/** Width of every chart in CSS pixels (the page is one column of this width). */
export const CHART_WIDTH = 900;

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside an HTML or SVG element or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const NUMBER = new Intl.NumberFormat('en-US');

/** 1234567 → "1,234,567". */
export function formatNumber(n: number): string {
  return NUMBER.format(n);
}

function svg(id: string, height: number, body: string, label: string): string {
  return `<svg class="chart" id="${id}" role="img" aria-label="${escapeHtml(label)}" width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x}" y="${y}" fill="${COLOURS.text}" font-size="12"${attrs ? ` ${attrs}` : ''}>${escapeHtml(content)}</text>`;
}

const noData = (id: string, label: string) => svg(id, 40, text(0, 24, 'no data in the index'), label);

/** One labelled horizontal bar per row, longest first as given; the value is printed after the bar. */
export function barChart(id: string, label: string, rows: ReadonlyArray<{ readonly label: string; readonly value: number }>): string {
  if (rows.length === 0) return noData(id, label);
  const rowHeight = 22;
  const labelWidth = 300;
  const barSpace = CHART_WIDTH - labelWidth - 110;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const body = rows.map((r, i) => {
    const y = i * rowHeight;
    const w = Math.max(1, Math.round((r.value / max) * barSpace));
    return `<g>${text(0, y + 15, r.label)}<rect x="${labelWidth}" y="${y + 3}" width="${w}" height="${rowHeight - 6}" fill="${COLOURS.bar}"><title>${escapeHtml(`${r.label}: ${formatNumber(r.value)}`)}</title></rect>${text(labelWidth + w + 6, y + 15, formatNumber(r.value))}</g>`;
  });
  return svg(id, rows.length * rowHeight, body.join(''), label);
}

/** The colour of an action: ACCEPT green, REJECT red, anything else from a fixed list (never from the data). */
export function actionColour(action: string, others: readonly string[]): string {
  if (action === 'ACCEPT') return COLOURS.ACCEPT;
  if (action === 'REJECT') return COLOURS.REJECT;
  return COLOURS.others[others.indexOf(action) % COLOURS.others.length] ?? COLOURS.others[0];
}

/** Legend labels longer than this are cut (an `action` value is whatever the log said). */
const LEGEND_CHARS = 24;

const minute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** Stacked columns of bytes per interval, one colour per action, with a legend and the time range. */
export function trafficChart(id: string, label: string, buckets: readonly TrafficBucket[]): string {
  if (buckets.length === 0) return noData(id, label);
  const actions = [...new Set(buckets.flatMap((b) => Object.keys(b.bytes)))].sort();
  const others = actions.filter((a) => a !== 'ACCEPT' && a !== 'REJECT');
  const plotTop = 24;
  const plotHeight = 200;
  const step = CHART_WIDTH / buckets.length;
  const max = Math.max(1, ...buckets.map((b) => Object.values(b.bytes).reduce((s, v) => s + v, 0)));
  const columns = buckets.map((b, i) => {
    let base = plotTop + plotHeight;
    return actions.map((a) => {
      const value = b.bytes[a] ?? 0;
      if (value === 0) return '';
      const h = Math.max(1, Math.round((value / max) * plotHeight));
      base -= h;
      return `<rect x="${(i * step + 1).toFixed(1)}" y="${base}" width="${Math.max(1, step - 2).toFixed(1)}" height="${h}" fill="${actionColour(a, others)}"><title>${escapeHtml(`${minute(b.start)} ${a}: ${formatNumber(value)} bytes`)}</title></rect>`;
    }).join('');
  });
  let x = 0;
  const legend = actions.map((a) => {
    const shown = a.length > LEGEND_CHARS ? `${a.slice(0, LEGEND_CHARS - 1)}…` : a;
    const item = `<rect x="${x}" y="4" width="12" height="12" fill="${actionColour(a, others)}"/>${text(x + 18, 15, shown)}`;
    x += 40 + shown.length * 7;
    return item;
  }).join('');
  const axisY = plotTop + plotHeight;
  const axis = `<line x1="0" y1="${axisY}" x2="${CHART_WIDTH}" y2="${axisY}" stroke="${COLOURS.axis}"/>`
    + text(0, axisY + 16, minute(buckets[0]?.start ?? ''))
    + text(CHART_WIDTH, axisY + 16, minute(buckets.at(-1)?.start ?? ''), 'text-anchor="end"')
    + text(CHART_WIDTH, 15, `max ${formatNumber(max)} bytes per interval`, 'text-anchor="end"');
  return svg(id, axisY + 22, legend + columns.join('') + axis, label);
}

/** The map's latitude band: Antarctica and the far north carry no flow-log sources worth the space. */
const NORTH = 84;
const SOUTH = -60;
/** Equirectangular: CSS pixels per degree. */
const SCALE = CHART_WIDTH / 360;
/** Height of the map in CSS pixels. */
export const MAP_HEIGHT = Math.round((NORTH - SOUTH) * SCALE);

/** [longitude, latitude] → map pixels. */
export function project(lon: number, lat: number): [number, number] {
  return [(lon + 180) * SCALE, (NORTH - lat) * SCALE];
}

/** The world outline (an SVG path's `d`, drawn with {@link project}) with a dot per source cell, its area by flows. */
export function sourcesMap(id: string, label: string, landPath: string, points: readonly SourcePoint[]): string {
  const max = Math.max(1, ...points.map((p) => p.flows));
  const dots = points.map((p) => {
    const [x, y] = project(p.lon, p.lat);
    const r = 3 + 9 * Math.sqrt(p.flows / max);
    return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r.toFixed(1)}" fill="${COLOURS.point}" stroke="#fff"><title>${escapeHtml(`${p.lat.toFixed(2)}, ${p.lon.toFixed(2)}: ${formatNumber(p.flows)} flows`)}</title></circle>`;
  });
  const empty = points.length === 0 ? text(CHART_WIDTH / 2, MAP_HEIGHT / 2, 'no source with a GeoIP location (set GEOIP_CITY_DB)', 'text-anchor="middle"') : '';
  return svg(id, MAP_HEIGHT, `<path d="${landPath}" fill="${COLOURS.land}"/>${dots.join('')}${empty}`, label);
}
