import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { readCharts, reportQuery, type Report } from '../../../src/query/report.js';
import { CONTENT_SECURITY_POLICY, renderReportHtml } from '../../../src/query/report-html.js';
import { escapeHtml, project } from '../../../src/query/svg-charts.js';
import { landPath, ringPath } from '../../../src/query/world-outline.js';

const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)>'&`;

const report: Report = {
  documents: 3,
  topTalkers: [{ srcaddr: HOSTILE, bytes: 1200, country: HOSTILE }],
  rejectedByPort: [{ dstport: 22, flows: 2 }],
  charts: {
    interval: HOSTILE,
    traffic: [{ start: '2026-11-22T10:00:00.000Z', bytes: { ACCEPT: 1000, [HOSTILE]: 200 } }],
    sources: [{ lat: 51.5, lon: -0.09, flows: 2 }],
    countries: [{ country: HOSTILE, flows: 2 }],
  },
};

describe('report --html page', () => {
  const html = renderReportHtml(report, { indexPattern: HOSTILE, generatedAt: new Date('2026-11-30T09:00:00Z') });

  it('escapes every value from the index: no element or attribute comes from a log value', () => {
    assert.equal(escapeHtml(`<a href='x'>&"`), '&lt;a href=&#39;x&#39;&gt;&amp;&quot;');
    assert.ok(!html.includes('<script>alert'), 'no injected script');
    assert.ok(!html.includes('<img'), 'no injected element');
    assert.equal(html.match(/<script>/g)?.length, 1, 'one script: the page\'s own');
    assert.ok(html.includes('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'), 'shown as text');
  });

  it('allows exactly its own style and script by hash, and nothing from anywhere', () => {
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    assert.equal(CONTENT_SECURITY_POLICY, `default-src 'none'; style-src ${hash(style)}; script-src ${hash(script)}; base-uri 'none'; form-action 'none'`);
    assert.ok(html.includes(`content="${CONTENT_SECURITY_POLICY}"`));
    const plain = renderReportHtml({ ...report, topTalkers: [], charts: undefined }, { indexPattern: 'x-*', generatedAt: new Date(0) });
    assert.doesNotMatch(plain, /\s(src|href)=|url\(|@import/);
  });

  it('draws every chart, the map with the land outline and a dot per located source', () => {
    for (const id of ['traffic', 'talkers', 'rejects', 'sources', 'countries']) assert.match(html, new RegExp(`<svg class="chart" id="${id}"`));
    const [x, y] = project(-0.09, 51.5);
    assert.match(html, new RegExp(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}"`));
    assert.ok(html.includes(landPath()));
  });

  it('says so where there is nothing to draw', () => {
    const empty = renderReportHtml({ documents: 0, topTalkers: [], rejectedByPort: [] }, { indexPattern: 'x-*', generatedAt: new Date(0) });
    assert.equal(empty.match(/no data in the index/g)?.length, 4);
    assert.match(empty, /no source with a GeoIP location \(set GEOIP_CITY_DB\)/);
  });
});

describe('report --html data', () => {
  it('asks for the chart aggregations only when asked', () => {
    assert.deepEqual(Object.keys((reportQuery(5) as { aggs: object }).aggs), ['talkers', 'rejected']);
    assert.deepEqual(Object.keys((reportQuery(5, true) as { aggs: object }).aggs), ['talkers', 'rejected', 'traffic', 'sources', 'countries']);
  });

  it('reads bytes by action per interval, a point per located city, flows per country', () => {
    const centre = (lat: number, lon: number) => ({ location: { lat, lon } });
    assert.deepEqual(readCharts({
      traffic: { interval: '5m', buckets: [{ key: 1795341600000, doc_count: 2, action: { buckets: [{ key: 'ACCEPT', doc_count: 2, bytes: { value: 8000 } }] } }] },
      sources: { buckets: [{ key: 'GB', doc_count: 3, cities: { buckets: [{ key: 'London', doc_count: 2, centre: centre(51.5, -0.1) }, { key: '', doc_count: 1, centre: {} }] } }] },
      countries: { buckets: [{ key: 'GB', doc_count: 3 }] },
    }), {
      interval: '5m',
      traffic: [{ start: '2026-11-22T10:00:00.000Z', bytes: { ACCEPT: 8000 } }],
      sources: [{ lat: 51.5, lon: -0.1, flows: 2 }],
      countries: [{ country: 'GB', flows: 3 }],
    });
    assert.equal(readCharts({}), undefined);
  });
});

describe('world outline', () => {
  it('draws a ring crossing the antimeridian on both edges, never a line across the map', () => {
    const path = ringPath([[179, 65], [-179, 65], [-179, 66], [179, 66], [179, 65]]);
    const subpaths = path.split('M').filter(Boolean);
    assert.equal(subpaths.length, 2);
    for (const sub of subpaths) {
      const xs = sub.replace('Z', '').split('L').map((p) => Number(p.split(',')[0]));
      assert.ok(Math.max(...xs) - Math.min(...xs) < 10, `one ring stays narrow: ${sub}`);
    }
  });
});
