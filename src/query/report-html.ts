/**
 * `report --html`: the report as one self-contained HTML page (charts as inline SVG, the world
 * outline inline, no font, image or script from anywhere else), for users without Dashboards.
 * A Content-Security-Policy allows only this page's own style and script, by hash: even a log
 * value that slipped past the escaping could neither run a script nor make the page fetch anything.
 */
import { createHash } from 'node:crypto';
import type { Report } from './report.js';
import { barChart, escapeHtml, formatNumber, sourcesMap, trafficChart } from './svg-charts.js';
import { landPath } from './world-outline.js';

/** What the page says about where its data came from. */
export interface PageContext {
  readonly indexPattern: string;
  readonly generatedAt: Date;
}

const STYLE = `body{font-family:sans-serif;color:#263238;background:#fff;margin:24px;width:900px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}p{margin:4px 0;font-size:13px}
svg.chart{display:block}footer{margin-top:24px;font-size:12px;color:#546e7a}`;

/**
 * Runs in the browser after the charts: checks each one was laid out with a size and content,
 * shows the report's time in the reader's time zone, and writes what it found into
 * `data-rendered` on <body> (chart id → [x, y, width, height] in page pixels). The screenshot test
 * reads that to know where to look; a chart that did not render throws, which the test sees.
 */
const SCRIPT = `(() => {
  const boxes = {};
  for (const chart of document.querySelectorAll('svg.chart')) {
    const r = chart.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || chart.childElementCount === 0) throw new Error('chart ' + chart.id + ' did not render');
    boxes[chart.id] = [r.left + scrollX, r.top + scrollY, r.width, r.height].map(Math.round);
  }
  const time = document.querySelector('time[datetime]');
  if (time) time.textContent = new Date(time.dateTime).toLocaleString() + ' (your time zone)';
  document.body.dataset.rendered = JSON.stringify(boxes);
})();`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The page's Content-Security-Policy: nothing from anywhere, except this style and this script. */
export const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src ${sha256(STYLE)}; script-src ${sha256(SCRIPT)}; base-uri 'none'; form-action 'none'`;

const section = (title: string, chart: string) => `<h2>${escapeHtml(title)}</h2>\n${chart}`;

/** The whole page. Every value from the index goes through {@link escapeHtml} (in the chart functions too). */
export function renderReportHtml(report: Report, context: PageContext): string {
  const charts = report.charts;
  const traffic = charts?.traffic ?? [];
  const talkers = report.topTalkers.map((t) => ({ label: t.country ? `${t.srcaddr} (${t.country})` : t.srcaddr, value: t.bytes }));
  const ports = report.rejectedByPort.map((p) => ({ label: `port ${p.dstport}`, value: p.flows }));
  const countries = (charts?.countries ?? []).map((c) => ({ label: c.country, value: c.flows }));
  const generated = context.generatedAt.toISOString();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<title>${escapeHtml(`aws-log-indexer report: ${context.indexPattern}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(`Flow logs in ${context.indexPattern}`)}</h1>
<p>${formatNumber(report.documents)} flow documents. Generated <time datetime="${generated}">${escapeHtml(generated)}</time>.</p>
${section(`Traffic over time by action (bytes per ${charts?.interval || 'interval'})`, trafficChart('traffic', 'Bytes over time by action', traffic))}
${section('Top talkers by bytes sent', barChart('talkers', 'Top talkers by bytes sent', talkers))}
${section('Rejected flows by destination port', barChart('rejects', 'Rejected flows by destination port', ports))}
${section('Sources by location (flows)', sourcesMap('sources', 'Map of flow sources', landPath(), charts?.sources ?? []))}
${section('Sources by country (flows)', barChart('countries', 'Flows by source country', countries))}
<footer>Map outline: Natural Earth 1:110m land (public domain), from the world-atlas package (ISC). Equirectangular, 84°N to 60°S.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
