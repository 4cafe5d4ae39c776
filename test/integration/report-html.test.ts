/**
 * `report --html`: known flow records (with GeoIP-located sources and an `action` value that is
 * markup) are indexed into the local node; the compiled CLI writes the page; a real headless
 * Chromium opens it with no network, and the test asserts no console error, the script's marker,
 * and chart pixels in every chart's box. Two broken copies of the page show that the checks fail.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { COLOURS } from '../../src/query/svg-charts.js';
import { findChromium, pixelsOf, visit, type PageVisit } from '../helpers/chromium.js';
import { dropStack, newStack, putObject, type TestStack } from '../helpers/stack.js';

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const MARKUP = '<img/src=x/onerror=alert(1)>';
/** Sources the MaxMind test DB places: 214.0.1.7 AU, 81.2.69.142 GB, 89.160.20.112 SE, 216.160.83.56 US, 175.16.199.5 CN. */
const RECORDS = [
  '2 123456789012 eni-a 10.0.0.5 81.2.69.142 40000 443 6 10 5000 1795341600 1795341660 ACCEPT OK',
  '2 123456789012 eni-a 81.2.69.142 10.0.0.5 443 40000 6 8 3000 1795342200 1795342260 ACCEPT OK',
  '2 123456789012 eni-a 89.160.20.112 10.0.0.5 51000 22 6 1 40 1795342800 1795342860 REJECT OK',
  '2 123456789012 eni-a 216.160.83.56 10.0.0.5 51001 22 6 1 60 1795343400 1795343460 REJECT OK',
  '2 123456789012 eni-a 175.16.199.5 10.0.0.5 51002 3389 6 1 40 1795344000 1795344060 REJECT OK',
  '2 123456789012 eni-a 214.0.1.7 10.0.0.5 443 41000 6 20 9000 1795344600 1795344660 ACCEPT OK',
  `2 123456789012 eni-a 81.2.69.142 10.0.0.5 1 80 6 1 100 1795345200 1795345260 ${MARKUP} OK`,
];
const KEY = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/123456789012_vpcflowlogs_us-east-1_fl-r_20261122T1100Z_a.log.gz';

const chromium = findChromium();
const NO_CHROMIUM = 'no Chromium: run `bash scripts/tools.sh chromium` (as root it apt-installs Debian\'s chromium; scripts/test.sh does) or set CHROMIUM';

/** The page with `from` replaced by `to` in its style or script, and the CSP hashes made to match again. */
function altered(html: string, from: string, to: string): string {
  assert.ok(html.includes(from), `the page holds ${from}`);
  const page = html.replace(from, to);
  const hash = (tag: string) => `'sha256-${createHash('sha256').update(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(page)?.[1] ?? '').digest('base64')}'`;
  return page.replace(/style-src '[^']+'/, `style-src ${hash('style')}`).replace(/script-src '[^']+'/, `script-src ${hash('script')}`);
}

/** Chart id → [x, y, width, height], as the page's script wrote it; undefined when the script did not finish. */
function rendered(page: PageVisit): Record<string, number[]> | undefined {
  const m = /<body data-rendered="([^"]*)"/.exec(page.dom);
  return m?.[1] ? JSON.parse(m[1].replace(/&quot;/g, '"')) as Record<string, number[]> : undefined;
}

/** Pixels of each colour a chart draws with, in that chart's box. */
function chartPixels(page: PageVisit, boxes: Record<string, number[]>): Record<string, number[]> {
  const wanted: Record<string, string[]> = {
    traffic: [COLOURS.ACCEPT, COLOURS.REJECT, COLOURS.others[0]],
    talkers: [COLOURS.bar], rejects: [COLOURS.bar], countries: [COLOURS.bar],
    sources: [COLOURS.land, COLOURS.point],
  };
  return Object.fromEntries(Object.entries(wanted).map(([id, colours]) => [id, colours.map((c) => pixelsOf(page.screenshot, boxes[id] ?? [], c))]));
}

describe('report --html', () => {
  let stack: TestStack;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'report-html-'));
  const page = join(dir, 'report.html');
  const report = (...args: string[]) => spawnSync(process.execPath, ['bin/aws-log-indexer.js', 'report', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

  before(async () => {
    stack = await newStack();
    env = { INDEX_PREFIX: stack.config.indexPrefix };
    await putObject(stack, KEY, `${HEADER}\n${RECORDS.join('\n')}\n`);
    const re = spawnSync(process.execPath, ['bin/aws-log-indexer.js', 'reprocess', `s3://${stack.bucket}/AWSLogs/`], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(re.status, 0, re.stderr);
    assert.equal((JSON.parse(re.stdout) as { created: number }).created, RECORDS.length);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropStack(stack);
  });

  it('writes the page, prints the text report, and escapes log values', () => {
    const r = report('--top', '5', '--html', page);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^7 flow documents\n/);
    assert.equal(r.stderr, `report: HTML page written to ${page}\n`);
    const html = readFileSync(page, 'utf8');
    assert.ok(!html.includes(MARKUP), 'the action value never appears as markup');
    assert.ok(html.includes('&lt;img/src=x/onerror=alert(1)&gt;'), 'the action value appears as text');
    assert.doesNotMatch(html, /(src|href)="?(https?:)?\/\//, 'nothing is fetched from elsewhere');
    assert.match(html, /214\.0\.1\.7 \(AU\)/);
  });

  it('names the file it cannot write, and keeps the no-index message', () => {
    const unwritable = join(dir, 'missing-dir', 'r.html');
    const r = report('--html', unwritable);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^aws-log-indexer: --html ${unwritable.replace(/[.]/g, '\\.')}: cannot write the report there \\(ENOENT`));
    env['INDEX_PREFIX'] = `${stack.name}-nothing`;
    const none = report('--html', join(dir, 'none.html'));
    env['INDEX_PREFIX'] = stack.config.indexPrefix;
    assert.equal(none.status, 1);
    assert.match(none.stderr, new RegExp(`no index matches ${stack.name}-nothing-\\*`));
  });

  describe('in headless Chromium', { skip: chromium ? false : NO_CHROMIUM }, () => {
    it('loads without a console message, its script marks every chart, and the screenshot shows them', async () => {
      const seen = await visit(chromium ?? '', page);
      assert.deepEqual(seen.console, []);
      const boxes = rendered(seen);
      assert.deepEqual(Object.keys(boxes ?? {}).sort(), ['countries', 'rejects', 'sources', 'talkers', 'traffic']);
      assert.doesNotMatch(seen.dom, /<img/i, 'no element came from a log value');
      for (const [id, counts] of Object.entries(chartPixels(seen, boxes ?? {}))) {
        for (const n of counts) assert.ok(n > 20, `${id}: chart colours in its box ${JSON.stringify(boxes?.[id])}: ${counts.join(', ')}`);
      }
      assert.ok((chartPixels(seen, boxes ?? {})['sources']?.[0] ?? 0) > 20_000, 'the map shows land');
    });

    it('the checks fail on a page whose script throws, or whose charts do not show', async () => {
      const html = readFileSync(page, 'utf8');
      const throwing = join(dir, 'throwing.html');
      const hidden = join(dir, 'hidden.html');
      writeFileSync(throwing, altered(html, '(() => {', '(() => { throw new Error("chart code broke");'));
      writeFileSync(hidden, altered(html, 'svg.chart{display:block}', 'svg.chart{display:block;visibility:hidden}'));
      const [t, h] = await Promise.all([visit(chromium ?? '', throwing), visit(chromium ?? '', hidden)]);
      assert.ok(t.console.length > 0 && t.console.every((line) => /Uncaught Error: chart code broke/.test(line)), t.console.join('\n'));
      assert.equal(rendered(t), undefined);
      assert.deepEqual(h.console, []);
      const boxes = rendered(h);
      assert.ok(boxes);
      assert.ok(Object.values(chartPixels(h, boxes)).flat().every((n) => n === 0), 'no chart colour on a page whose charts are hidden');
    });
  });
});
