/**
 * Opens a local HTML file in a real headless Chromium (Debian's `chromium`, installed by
 * `bash scripts/tools.sh chromium`, which scripts/test.sh runs first) and reports what a reader
 * would meet: console messages (uncaught errors, refused loads), the DOM after the page's script
 * ran, and a screenshot. Chromium gets a fresh profile each time and no way out: every host name
 * resolves to nothing and every http(s) request goes to a dead loopback port.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';

/** The Chromium binary: $CHROMIUM, else `chromium` or `chromium-browser` on PATH; undefined when there is none. */
export function findChromium(): string | undefined {
  const named = process.env['CHROMIUM'];
  if (named) return named;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // not on PATH: try the next name
    }
  }
  return undefined;
}

const ISOLATED = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--no-default-browser-check', '--disable-extensions', '--disable-default-apps',
  '--disable-breakpad', '--disable-domain-reliability', '--disable-client-side-phishing-detection', '--metrics-recording-only',
  // No network: names resolve to nothing, and http(s) would go through a proxy on a closed loopback port.
  '--host-resolver-rules=MAP * ~NOTFOUND', '--proxy-server=127.0.0.1:9',
  '--enable-logging=stderr', '--v=0', '--hide-scrollbars',
];

/** Page size in CSS pixels (device scale 1). */
export const WINDOW = { width: 1000, height: 2000 } as const;

function run(binary: string, args: readonly string[], timeoutMs: number): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [...ISOLATED, `--user-data-dir=${profile}`, `--window-size=${WINDOW.width},${WINDOW.height}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      rmSync(profile, { recursive: true, force: true });
      resolve({ stdout, stderr, code });
    });
  });
}

/** What Chromium made of a page. */
export interface PageVisit {
  /** The page's console messages (Chromium's `CONSOLE` log lines): uncaught errors, CSP refusals, failed loads. */
  readonly console: readonly string[];
  /** The DOM after load, as `--dump-dom` prints it. */
  readonly dom: string;
  readonly screenshot: PNG;
}

/** Loads `file` twice at once: once dumping the DOM and console, once taking a screenshot. */
export async function visit(binary: string, file: string, timeoutMs = 30_000): Promise<PageVisit> {
  const url = pathToFileURL(file).href;
  const shotDir = mkdtempSync(join(tmpdir(), 'chromium-shot-'));
  const png = join(shotDir, 'page.png');
  try {
    const [dump, shot] = await Promise.all([run(binary, ['--dump-dom', url], timeoutMs), run(binary, [`--screenshot=${png}`, url], timeoutMs)]);
    if (dump.code !== 0 || shot.code !== 0) throw new Error(`chromium exited ${dump.code}/${shot.code}:\n${dump.stderr}\n${shot.stderr}`);
    const console = [...dump.stderr.split('\n'), ...shot.stderr.split('\n')].filter((l) => /:CONSOLE[:(]/.test(l));
    return { console, dom: dump.stdout, screenshot: PNG.sync.read(readFileSync(png)) };
  } finally {
    rmSync(shotDir, { recursive: true, force: true });
  }
}

/** `#rrggbb` → [r, g, b]. */
function rgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** How many pixels in the box [x, y, width, height] have exactly the colour `hex`. */
export function pixelsOf(png: PNG, box: readonly number[], hex: string): number {
  const [r, g, b] = rgb(hex);
  const [x0 = 0, y0 = 0, w = 0, h = 0] = box;
  let n = 0;
  for (let y = Math.max(0, y0); y < Math.min(png.height, y0 + h); y++) {
    for (let x = Math.max(0, x0); x < Math.min(png.width, x0 + w); x++) {
      const i = (y * png.width + x) * 4;
      if (png.data[i] === r && png.data[i + 1] === g && png.data[i + 2] === b) n++;
    }
  }
  return n;
}
