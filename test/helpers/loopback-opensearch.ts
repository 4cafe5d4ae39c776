/**
 * A stand-in for an OpenSearch node on 127.0.0.1 for unit tests of the sink's client code: it
 * records every request (method, URL, headers, body, gunzipped when compressed) and answers from a
 * table keyed by "METHOD path" (the path decoded, without its query); anything else gets a 500 naming it.
 * Optionally serves HTTPS with a throwaway self-signed certificate for 127.0.0.1 made by openssl.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { promisify } from 'node:util';
import { deflateSync, gunzipSync, gzipSync } from 'node:zlib';

/** One request as the stand-in received it. */
export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  /** The body's bytes as they came over the wire (compressed, when they were). */
  readonly wire: Buffer;
}

/** An answer: a status and a JSON body (none for HEAD), compressed when `encoding` says so. */
export interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly encoding?: 'gzip' | 'deflate';
  /** Sends the headers (the whole body's length among them) and half the body, then waits: a node that stops mid-answer. */
  readonly stall?: boolean;
  /** Told when the answer's connection closes. */
  readonly onClose?: () => void;
}

/** A self-signed certificate for 127.0.0.1: the PEM texts, and the file holding the certificate (to use as its own CA). */
export interface TestCertificate {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  /** Deletes the files. */
  remove(): Promise<void>;
}

export interface LoopbackOpenSearch {
  /** `http://127.0.0.1:<port>` (or https). */
  readonly url: string;
  /** Every request so far, oldest first. */
  readonly received: Received[];
  /** Answers by "METHOD path" (decoded: `DELETE /a,b`); replace freely between tests. */
  answers: Record<string, Answer>;
  close(): Promise<void>;
}

/** Makes a certificate valid for one day for IP 127.0.0.1 (openssl, an EC key: fast). */
export async function selfSignedCertificate(): Promise<TestCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'loopback-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ]);
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Starts the stand-in on an ephemeral port of 127.0.0.1; HTTPS when a certificate is given. */
export async function loopbackOpenSearch(tls?: { cert: string; key: string }): Promise<LoopbackOpenSearch> {
  const state: LoopbackOpenSearch = { url: '', received: [], answers: {}, close: async () => {} };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const wire = Buffer.concat(chunks);
      const raw = req.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire;
      state.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw.length ? parse(raw.toString()) : undefined, wire });
      const key = `${req.method} ${decodeURIComponent((req.url ?? '').split('?')[0] ?? '')}`;
      const answer = state.answers[key] ?? { status: 500, body: { error: `unexpected ${req.method} ${req.url}` } };
      const json = answer.body === undefined ? undefined : Buffer.from(JSON.stringify(answer.body));
      const encoded = json === undefined || answer.encoding === undefined ? json : answer.encoding === 'gzip' ? gzipSync(json) : deflateSync(json);
      const headers = { 'content-type': 'application/json', ...(answer.encoding === undefined ? {} : { 'content-encoding': answer.encoding }) };
      if (answer.onClose) res.on('close', answer.onClose);
      if (answer.stall === true && encoded !== undefined) {
        res.writeHead(answer.status, { ...headers, 'content-length': String(encoded.length) }).write(encoded.subarray(0, encoded.length >> 1));
        return;
      }
      res.writeHead(answer.status, headers).end(encoded);
    });
  };
  const server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  });
}

/**
 * A plain-HTTP stand-in for the tests of the enclosing suite: started before them, its record of
 * requests emptied before each, closed after them. Use it only inside the suite's tests.
 */
export function loopbackForSuite(): LoopbackOpenSearch {
  let node: LoopbackOpenSearch | undefined;
  const started = (): LoopbackOpenSearch => {
    if (node === undefined) throw new Error('the loopback stand-in starts before the suite\'s tests');
    return node;
  };
  before(async () => {
    node = await loopbackOpenSearch();
  });
  beforeEach(() => {
    started().received.length = 0;
  });
  after(() => started().close());
  return {
    get url() { return started().url; },
    get received() { return started().received; },
    get answers() { return started().answers; },
    set answers(answers) { started().answers = answers; },
    close: () => started().close(),
  };
}

/** The body as JSON, or as text where it is none (NDJSON). */
function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
