/**
 * Fault-injecting HTTP proxies for the fault suite, on 127.0.0.1 with a free port:
 *
 * - {@link BulkFaultProxy} sits in front of OpenSearch and, when told to, answers `_bulk`
 *   requests with HTTP 429, rewrites some items of real answers to 429 (a partial failure whose
 *   documents were in fact written), or delays every `_bulk`. It logs the ids each `_bulk` carried.
 * - {@link S3FaultProxy} sits in front of the S3 emulator and answers GetObject of chosen objects
 *   with an S3 error, always or the next n times (moto enforces no IAM and never throttles, so
 *   AccessDenied and SlowDown have to come from here), or stalls their bodies part-way with the
 *   connection left open.
 *
 * Everything else passes through unchanged. Bodies are buffered: these are test proxies.
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ItemVerdictStatus, RequestVerdictKind, classifyBulkResponse } from '../../src/sink/bulk-result.js';
import { STACK_ENV } from './stack.js';

/** A request as the proxy received it, body whole. */
export interface ProxiedRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** An answer to send back: from upstream or made up. `undefined` drops the connection without one. */
export interface ProxiedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** Send only this many bytes of the body, then nothing more while the connection stays open. */
  readonly stallAfter?: number;
}

/** Decides each request's answer; `forward` sends it upstream (and rejects when upstream is unreachable). */
type Handler = (req: ProxiedRequest, forward: () => Promise<ProxiedResponse>) => Promise<ProxiedResponse | undefined>;

/** Headers that belong to one connection, not to the message. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer']);

const readAll = async (stream: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** A plain HTTP proxy to one upstream, with a hook that may answer instead of it. */
class Proxy {
  private readonly agent = new Agent({ keepAlive: true });
  private server: Server | undefined;
  url = '';

  constructor(
    private readonly target: URL,
    private readonly handler: Handler,
    /** Request headers not passed upstream (e.g. accept-encoding, to read answers in clear). */
    private readonly dropHeaders: readonly string[] = [],
  ) {}

  async listen(): Promise<this> {
    const server = createServer((req, res) => {
      res.on('error', () => undefined);
      req.on('error', () => undefined);
      void this.serve(req).then((answer) => {
        if (answer === undefined) return void req.socket.destroy();
        res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
        // A stalled answer is left open: the client's own timeout must end it (or close() does).
        if (answer.stallAfter !== undefined) return void res.write(answer.body.subarray(0, answer.stallAfter));
        res.end(answer.body);
      }, () => req.socket.destroy());
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.agent.destroy();
  }

  private async serve(req: IncomingMessage): Promise<ProxiedResponse | undefined> {
    const body = await readAll(req);
    const proxied: ProxiedRequest = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', this.url), headers: req.headers, body };
    return this.handler(proxied, () => this.forward(proxied));
  }

  private forward(req: ProxiedRequest): Promise<ProxiedResponse> {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name) && !this.dropHeaders.includes(name)) headers[name] = value;
    }
    headers['content-length'] = String(req.body.length);
    return new Promise((resolve, reject) => {
      const upstream = request(
        { host: this.target.hostname, port: this.target.port, method: req.method, path: `${req.url.pathname}${req.url.search}`, headers, agent: this.agent },
        (res) => {
          readAll(res).then((buf) => {
            const out: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'content-length') out[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({ status: res.statusCode ?? 502, headers: out, body: buf });
          }, reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(req.body);
    });
  }
}

/** What the OpenSearch proxy did to one `_bulk` of `create` operations. */
export const BulkFault = { none: 'none', rejected: 'rejected', partial: 'partial', unreachable: 'unreachable' } as const;
export type BulkFault = (typeof BulkFault)[keyof typeof BulkFault];

/** One `_bulk` of flow-log documents the proxy saw, in arrival order. */
export interface BulkRequestLog {
  /** Milliseconds since the proxy started. */
  readonly at: number;
  /** The `_id` of each `create`, in body order. */
  readonly ids: readonly string[];
  readonly fault: BulkFault;
  /**
   * Ids the worker was told to send again: the proxy's 429s (all of them when it refused the whole
   * request), and those the node itself failed.
   */
  readonly failedIds: readonly string[];
  /** What the node itself answered for the operations it failed (none when it took them all). */
  readonly nodeErrors: readonly string[];
}

const REJECTED = {
  type: 'es_rejected_execution_exception',
  reason: 'rejected execution of coordinating operation [fault proxy: write thread pool queue full]',
} as const;

/** The ids of the `create` actions of an NDJSON `_bulk` body (gzip or not); empty for other bulks. */
export function createIds(body: Buffer, encoding: string | undefined): string[] {
  const text = (encoding === 'gzip' ? gunzipSync(body) : body).toString('utf8');
  const ids: string[] = [];
  const lines = text.split('\n');
  // Action and source lines alternate; every action the indexer sends has a source.
  for (let i = 0; i < lines.length; i += 2) {
    const line = lines[i];
    if (!line) continue;
    const action = JSON.parse(line) as { create?: { _id?: string } };
    if (action.create?._id !== undefined) ids.push(action.create._id);
  }
  return ids;
}

/**
 * Proxy in front of OpenSearch. Only `_bulk` requests made of `create` actions (flow-log documents)
 * are touched; dead-letter writes (`index` actions), health probes and searches pass through.
 * Faults are consumed in this order: whole-request 429s, then partial 429s; the delay applies to
 * every flow-log `_bulk`. When the upstream does not answer (OpenSearch stopped), the proxy drops
 * the connection, as a dead node would.
 */
export class BulkFaultProxy {
  readonly requests: BulkRequestLog[] = [];
  private rejectLeft = 0;
  private partialLeft = 0;
  private partialItems = 0;
  private delayMs = 0;
  private readonly started = Date.now();
  private readonly proxy: Proxy;

  private constructor(target: string) {
    this.proxy = new Proxy(new URL(target), (req, forward) => this.handle(req, forward), ['accept-encoding']);
  }

  static async start(target = STACK_ENV.OPENSEARCH_URL): Promise<BulkFaultProxy> {
    const proxy = new BulkFaultProxy(target);
    await proxy.proxy.listen();
    return proxy;
  }

  get url(): string {
    return this.proxy.url;
  }

  /** Answers the next `count` flow-log `_bulk` requests with HTTP 429 without forwarding them. */
  rejectNext(count: number): void {
    this.rejectLeft = count;
  }

  /** Forwards the next `count` flow-log `_bulk` requests, then reports their first `items` items as 429. */
  failFirstItemsOfNext(count: number, items: number): void {
    this.partialLeft = count;
    this.partialItems = items;
  }

  /** Holds every flow-log `_bulk` this long before forwarding it (0: no delay). */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  close(): Promise<void> {
    return this.proxy.close();
  }

  private async handle(req: ProxiedRequest, forward: () => Promise<ProxiedResponse>): Promise<ProxiedResponse | undefined> {
    const bulk = req.method === 'POST' && req.url.pathname.endsWith('/_bulk');
    const ids = bulk ? createIds(req.body, req.headers['content-encoding']?.toString()) : [];
    if (ids.length === 0) return forward().catch(() => undefined);
    const at = Date.now() - this.started;
    if (this.rejectLeft > 0) {
      this.rejectLeft -= 1;
      this.requests.push({ at, ids, fault: BulkFault.rejected, failedIds: ids, nodeErrors: [] });
      return json(429, { error: { root_cause: [REJECTED], ...REJECTED }, status: 429 });
    }
    const partial = this.partialLeft > 0 ? Math.min(this.partialItems, ids.length) : 0;
    if (partial > 0) this.partialLeft -= 1;
    const entry: BulkRequestLog = { at, ids, fault: partial > 0 ? BulkFault.partial : BulkFault.none, failedIds: ids.slice(0, partial), nodeErrors: [] };
    this.requests.push(entry);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    let answer: ProxiedResponse;
    try {
      answer = await forward();
    } catch {
      Object.assign(entry, { fault: BulkFault.unreachable, failedIds: ids });
      return undefined;
    }
    // The node may fail operations of its own accord (a busy node answers some items 429): the
    // worker resends those too, as the indexer's own rules (sink/bulk-result.ts) decide.
    const node = nodeFailures(answer, ids);
    if (partial > 0 && answer.status === 200) {
      Object.assign(entry, { failedIds: [...new Set([...entry.failedIds, ...node.failedIds])], nodeErrors: node.errors });
      return failFirstItems(answer, partial);
    }
    Object.assign(entry, { fault: BulkFault.none, failedIds: node.failedIds, nodeErrors: node.errors });
    return answer;
  }

  /** Each operation the node itself failed, with its error: what the worker saw besides the proxy's faults. */
  nodeErrors(): string[] {
    return this.requests.flatMap((r, i) => r.nodeErrors.map((e) => `request ${i}: ${e}`));
  }
}

/** The operations of a `_bulk` that the node's own answer sends back for another try, and why. */
function nodeFailures(answer: ProxiedResponse, ids: readonly string[]): { failedIds: string[]; errors: string[] } {
  const verdict = classifyBulkResponse({ statusCode: answer.status, body: answer.body.toString('utf8') }, ids.length);
  if (verdict.kind === RequestVerdictKind.items) {
    const failed = verdict.items.flatMap((item, i) => (item.status === ItemVerdictStatus.retry ? [{ id: ids[i] as string, error: item.error }] : []));
    return { failedIds: failed.map((f) => f.id), errors: failed.map((f) => `${f.id}: ${f.error}`) };
  }
  // A fatal answer is resent by nobody; a 413 is resent in halves, a 429/5xx whole.
  return verdict.kind === RequestVerdictKind.fatal ? { failedIds: [], errors: [verdict.error] } : { failedIds: [...ids], errors: [verdict.error] };
}

function json(status: number, body: unknown): ProxiedResponse {
  return { status, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: Buffer.from(JSON.stringify(body)) };
}

/** Rewrites a real `_bulk` answer so that its first `count` items read 429, whatever really happened. */
function failFirstItems(answer: ProxiedResponse, count: number): ProxiedResponse {
  const body = JSON.parse(answer.body.toString('utf8')) as { errors?: boolean; items: Array<Record<string, unknown>> };
  for (let i = 0; i < count && i < body.items.length; i++) body.items[i] = { create: { status: 429, error: REJECTED } };
  body.errors = true;
  return json(200, body);
}

/**
 * Checks, from a proxy log, that every retry resent exactly the operations the previous answer
 * failed: after a request with failed ids F, the next request carrying any of F carries exactly F;
 * an id once answered (not failed) never travels again. Returns the violations (none when right).
 */
export function resendViolations(log: readonly BulkRequestLog[]): string[] {
  const violations: string[] = [];
  const settled = new Map<string, number>(); // answered id → index of the request that answered it
  const awaiting = new Map<string, number>(); // failed id → index of the request that failed it
  log.forEach((req, i) => {
    const owners = new Set(req.ids.map((id) => awaiting.get(id)).filter((n): n is number => n !== undefined));
    for (const owner of owners) {
      const failed = new Set(log[owner]?.failedIds);
      const same = req.ids.length === failed.size && req.ids.every((id) => failed.has(id));
      if (!same) violations.push(`request ${i} resent ${req.ids.length} ids, but request ${owner} had failed ${failed.size}`);
    }
    for (const id of req.ids) {
      const answered = settled.get(id);
      if (answered !== undefined) violations.push(`request ${i} (${req.ids.length} ids) resent ${id}, already answered in request ${answered} (${log[answered]?.ids.length} ids)`);
      awaiting.delete(id);
    }
    const failed = new Set(req.failedIds);
    for (const id of req.ids) {
      if (failed.has(id)) awaiting.set(id, i);
      else settled.set(id, i);
    }
  });
  return violations;
}

/** An S3 error as S3 sends it. */
export interface S3Error {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export const S3Errors = {
  accessDenied: { status: 403, code: 'AccessDenied', message: 'Access Denied' },
  slowDown: { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
  serviceUnavailable: { status: 503, code: 'ServiceUnavailable', message: 'Service is unable to handle request.' },
} as const satisfies Record<string, S3Error>;

/** One GetObject the S3 proxy saw. */
export interface GetObjectLog {
  readonly bucket: string;
  readonly key: string;
  /** The S3 error code the proxy answered with, when it did. */
  readonly error?: string;
  /** The Range header, for ranged reads. */
  readonly range?: string;
  /** True when the proxy stalled this read's body. */
  readonly stalled?: boolean;
  /** Who signed it and for which region (the SigV4 credential scope), and the ExpectedBucketOwner header. */
  readonly accessKey?: string;
  readonly region?: string;
  readonly expectedOwner?: string;
}

/** Access key and region of a SigV4 `Authorization` header (`Credential=AKID/date/region/service/aws4_request`). */
function signer(headers: IncomingHttpHeaders): { accessKey?: string; region?: string } {
  const m = /Credential=([^/]+)\/\d+\/([^/]+)\//.exec(String(headers.authorization ?? ''));
  return m ? { accessKey: m[1] as string, region: m[2] as string } : {};
}

/**
 * Proxy in front of the S3 emulator (and, since the SDK uses one endpoint, SQS and SNS as well).
 * GetObject of a chosen object (path-style `GET /bucket/key`) is answered with an S3 error; every
 * GetObject is logged, so a test can tell which objects a worker tried to read.
 */
export class S3FaultProxy {
  readonly gets: GetObjectLog[] = [];
  /** STS AssumeRole calls seen (the SDK sends STS to the same endpoint). */
  assumeRoles = 0;
  /** Per object: the error, and how many more GetObjects get it (Infinity: until healed). */
  private readonly faults = new Map<string, { error: S3Error; left: number }>();
  private readonly stalls = new Map<string, { afterBytes: number; left: number }>();
  /** Bucket → owning account, checked against ExpectedBucketOwner as S3 does (moto does not). */
  private readonly owners = new Map<string, string>();
  private readonly proxy: Proxy;

  private constructor(target: string) {
    this.proxy = new Proxy(new URL(target), (req, forward) => this.handle(req, forward));
  }

  static async start(target = STACK_ENV.AWS_ENDPOINT_URL): Promise<S3FaultProxy> {
    const proxy = new S3FaultProxy(target);
    await proxy.proxy.listen();
    return proxy;
  }

  get url(): string {
    return this.proxy.url;
  }

  /** Answers GetObject of `bucket/key` with `error` from now on, or only the next `times` times. */
  fail(bucket: string, key: string, error: S3Error, times = Infinity): void {
    this.faults.set(`${bucket}/${key}`, { error, left: times });
  }

  /**
   * Stalls the body of the next `times` GetObjects of `bucket/key` (ranged ones included) after
   * `afterBytes` bytes of it: the status and headers arrive, then nothing, the connection open.
   */
  stall(bucket: string, key: string, afterBytes: number, times: number): void {
    this.stalls.set(`${bucket}/${key}`, { afterBytes, left: times });
  }

  /** From now on `bucket` belongs to `account`: a GetObject that expects another owner gets S3's 403 (one that expects none is served). */
  own(bucket: string, account: string): void {
    this.owners.set(bucket, account);
  }

  /** Lets GetObject of `bucket/key` through again (the permission was fixed). */
  heal(bucket: string, key: string): void {
    this.faults.delete(`${bucket}/${key}`);
  }

  close(): Promise<void> {
    return this.proxy.close();
  }

  private async handle(req: ProxiedRequest, forward: () => Promise<ProxiedResponse>): Promise<ProxiedResponse | undefined> {
    if (req.method === 'POST' && /(^|&)Action=AssumeRole(&|$)/.test(req.body.toString())) this.assumeRoles += 1;
    const object = req.method === 'GET' ? getObjectTarget(req.url) : undefined;
    const fault = object && this.faults.get(`${object.bucket}/${object.key}`);
    if (fault && (fault.left -= 1) <= 0) this.faults.delete(`${object.bucket}/${object.key}`);
    const expectedOwner = req.headers['x-amz-expected-bucket-owner'] as string | undefined;
    const owner = object && this.owners.get(object.bucket);
    const error = fault?.error ?? (object && owner !== undefined && expectedOwner !== undefined && owner !== expectedOwner ? S3Errors.accessDenied : undefined);
    const stall = object && !error ? this.stalls.get(`${object.bucket}/${object.key}`) : undefined;
    const stalled = stall !== undefined && stall.left > 0;
    if (stalled) stall.left -= 1;
    const range = req.headers.range?.toString();
    if (object) {
      this.gets.push({
        ...object, ...(error ? { error: error.code } : {}), ...(range ? { range } : {}), ...(stalled ? { stalled } : {}),
        ...signer(req.headers), ...(expectedOwner ? { expectedOwner } : {}),
      });
    }
    if (stalled) return forward().then((answer) => ({ ...answer, stallAfter: stall.afterBytes }), () => undefined);
    if (!object || !error) return forward().catch(() => undefined);
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${error.message}</Message>` +
      `<Key>${object.key}</Key><RequestId>FAULTPROXY</RequestId><HostId>fault-proxy</HostId></Error>`;
    return { status: error.status, headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'FAULTPROXY' }, body: Buffer.from(xml) };
  }
}

/** Bucket and key of a path-style GetObject (`/bucket/key?x-id=GetObject`), undefined otherwise. */
function getObjectTarget(url: URL): { bucket: string; key: string } | undefined {
  const m = /^\/([^/]+)\/(.+)$/.exec(url.pathname);
  if (!m || url.searchParams.has('list-type') || url.searchParams.has('uploads')) return undefined;
  const decode = (s: string) => decodeURIComponent(s);
  return { bucket: decode(m[1] as string), key: (m[2] as string).split('/').map(decode).join('/') };
}

/** One FilterLogEvents call the CloudWatch Logs proxy saw. */
export interface FilterCallLog {
  /** Milliseconds since the proxy started. */
  readonly at: number;
  readonly throttled: boolean;
}

/**
 * Proxy in front of the emulator's CloudWatch Logs (and everything else on its port): answers the
 * next FilterLogEvents calls with `ThrottlingException`, as the API does past its rate limit, and
 * logs every FilterLogEvents call with its time.
 */
export class LogsThrottleProxy {
  readonly calls: FilterCallLog[] = [];
  private throttleLeft = 0;
  private readonly started = Date.now();
  private readonly proxy: Proxy;

  private constructor(target: string) {
    this.proxy = new Proxy(new URL(target), (req, forward) => this.handle(req, forward));
  }

  static async start(target = STACK_ENV.AWS_ENDPOINT_URL): Promise<LogsThrottleProxy> {
    const proxy = new LogsThrottleProxy(target);
    await proxy.proxy.listen();
    return proxy;
  }

  get url(): string {
    return this.proxy.url;
  }

  /** Throttles the next `count` FilterLogEvents calls. */
  throttleNext(count: number): void {
    this.throttleLeft = count;
  }

  close(): Promise<void> {
    return this.proxy.close();
  }

  private async handle(req: ProxiedRequest, forward: () => Promise<ProxiedResponse>): Promise<ProxiedResponse | undefined> {
    if (!String(req.headers['x-amz-target'] ?? '').endsWith('.FilterLogEvents')) return forward().catch(() => undefined);
    const throttled = this.throttleLeft > 0;
    this.calls.push({ at: Date.now() - this.started, throttled });
    if (!throttled) return forward().catch(() => undefined);
    this.throttleLeft -= 1;
    const body = { __type: 'com.amazonaws.logs#ThrottlingException', message: 'Rate exceeded' };
    return { status: 400, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'FAULTPROXY' }, body: Buffer.from(JSON.stringify(body)) };
  }
}
