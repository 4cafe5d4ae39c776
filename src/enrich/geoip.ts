/**
 * GeoIP and ASN enrichment from MaxMind DB files (GeoIP2/GeoLite2, DB-IP Lite via ip-location-db).
 *
 * Databases are read and checked when opened, so a missing, compressed, truncated or corrupt
 * file stops the service at start with the path in the message instead of failing (or, worse,
 * answering nonsense) on the first public address. `maxmind.open` is not used for that reason:
 * it hides the file's bytes, which the structural check needs. Its Reader is used directly.
 */
import { open } from 'node:fs/promises';
import { LRUCache } from 'lru-cache';
import { Reader, type Response } from 'maxmind';
import { embeddedIPv4, isPublicAddress } from './ip.js';
import { asFromRecord, geoFromRecord } from './mmdb-schema.js';
import { verifyMmdb } from './mmdb-verify.js';
import type { Enricher, Enrichment } from './types.js';

export type { AsInfo, Enricher, Enrichment, GeoInfo } from './types.js';

/** Where the databases are. */
export interface EnricherOptions {
  /** City or country databases, asked in order until one answers (DB-IP ships IPv4 and IPv6 apart). */
  readonly cityDbs: readonly string[];
  readonly asnDb?: string;
  /** Decoded records kept per database (default {@link DEFAULT_CACHE_SIZE}). */
  readonly cacheSize?: number;
  /** Answers kept by address, misses included (default {@link DEFAULT_ANSWER_CACHE_SIZE}). */
  readonly answerCacheSize?: number;
}

/** Decoded records kept per database by default: flow logs repeat a small set of peers, so hits dominate early. */
export const DEFAULT_CACHE_SIZE = 10_000;
/**
 * Default answers kept: as many addresses as the flow path's address book holds (65,536). An LRU
 * smaller than the set of addresses that come round in turn answers none of them: CloudTrail's
 * 20,000 rotating source addresses of the benchmark took 26 % more CPU with 10,000 (BENCHMARKS.md).
 * An answer is a small object, its GeoIP and ASN parts shared by the addresses of one record.
 */
export const DEFAULT_ANSWER_CACHE_SIZE = 65_536;

/** A database that could not be opened; `reason` says what is wrong with it. */
export class GeoDbError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`GeoIP database ${path}: ${reason}`, options);
    this.name = 'GeoDbError';
  }
}

/** An enricher that knows nothing: used when no database is configured. */
export const noopEnricher: Enricher = Object.freeze({ lookup: () => undefined });

type DbRole = 'city' | 'asn';

interface OpenDb {
  readonly reader: Reader<Response>;
  readonly hasV4: boolean;
  readonly hasV6: boolean;
}

/** A database's bytes in shared memory, already checked: what a parse thread needs to read it too. */
interface SharedDb {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/**
 * The opened databases as plain data for `workerData`: their bytes live in `SharedArrayBuffer`s, so
 * parse threads read the very bytes the main thread read (a 70 MB city database is held once per
 * process, not once per thread).
 */
export interface SharedEnrichment {
  readonly city: readonly SharedDb[];
  readonly asn: readonly SharedDb[];
  readonly cacheSize: number;
  readonly answerCacheSize: number;
}

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Reads the whole file into shared memory (a Buffer over a `SharedArrayBuffer`). */
async function readDbFile(path: string): Promise<Buffer> {
  try {
    const file = await open(path);
    try {
      const { size } = await file.stat();
      const db = Buffer.from(new SharedArrayBuffer(size));
      for (let at = 0; at < size; ) {
        const { bytesRead } = await file.read(db, at, size - at, at);
        if (bytesRead === 0) throw new Error(`ended at byte ${at} of ${size}`);
        at += bytesRead;
      }
      return db;
    } finally {
      await file.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : `cannot read: ${String(err)}`;
    throw new GeoDbError(path, reason, { cause: err });
  }
}

function newReader(path: string, db: Buffer, cacheSize: number): Reader<Response> {
  if (db[0] === GZIP_MAGIC[0] && db[1] === GZIP_MAGIC[1]) throw new GeoDbError(path, 'is gzip-compressed; decompress it first');
  try {
    return new Reader<Response>(db, { cache: new LRUCache<string | number, object>({ max: cacheSize }) });
  } catch (err) {
    throw new GeoDbError(path, `not a MaxMind DB file (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
}

/** Catches a database given in the wrong role, which would otherwise just never answer. */
function checkRole(path: string, databaseType: string, role: DbRole): void {
  const isAsn = /\b(asn|isp)\b/i.test(databaseType);
  if (role === 'city' && isAsn) throw new GeoDbError(path, `is an ASN database ("${databaseType}"), expected a city or country database`);
  if (role === 'asn' && !isAsn) throw new GeoDbError(path, `is a "${databaseType}" database, expected an ASN database`);
}

/** Reads and checks one database; `db` is kept for the parse threads. */
async function openDb(path: string, role: DbRole, cacheSize: number): Promise<OpenDb & { readonly db: SharedDb }> {
  const bytes = await readDbFile(path);
  const reader = newReader(path, bytes, cacheSize);
  const { metadata } = reader;
  if (metadata.ipVersion !== 4 && metadata.ipVersion !== 6) throw new GeoDbError(path, `unknown IP version ${metadata.ipVersion}`);
  const problem = verifyMmdb(bytes, metadata);
  if (problem !== undefined) throw new GeoDbError(path, `corrupt: ${problem}`);
  checkRole(path, metadata.databaseType, role);
  return { ...families(reader), db: { path, bytes } };
}

function families(reader: Reader<Response>): OpenDb {
  const { ipVersion } = reader.metadata;
  // An IPv6 tree without an IPv4 subtree (DB-IP's ipv6 file) stops at prefix length 0 for 0.0.0.0.
  const [v4Record, v4Prefix] = ipVersion === 6 ? reader.getWithPrefixLength('0.0.0.0') : [null, 1];
  return { reader, hasV4: v4Record !== null || v4Prefix > 0, hasV6: ipVersion === 6 };
}

/** Asks each database that can hold the address family, in order, until one answers. */
function firstAnswer<T>(dbs: readonly OpenDb[], address: string, v6: boolean, convert: (r: unknown) => T | undefined): T | undefined {
  for (const db of dbs) {
    // mmdb-lib would walk an IPv4-only tree with IPv6 bits and answer wrongly, so skip, don't ask.
    if (v6 ? !db.hasV6 : !db.hasV4) continue;
    const found = convert(db.reader.get(address));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** What the answer cache holds for an address no database knows (lru-cache holds no null or undefined). */
const MISS: Enrichment = Object.freeze({});

/**
 * `convert` remembered per decoded record. The reader hands out the same object for a record while
 * it stays in the reader's cache, and many addresses share a record (a city, an AS), so a record is
 * converted once, not once per address; an entry goes when its record leaves the reader's cache.
 */
function perRecord<T extends object>(convert: (record: unknown) => T | undefined): (record: unknown) => T | undefined {
  const nothing = Object.freeze({});
  const done = new WeakMap<object, T | typeof nothing>();
  return (record) => {
    if (typeof record !== 'object' || record === null) return convert(record);
    const known = done.get(record);
    if (known !== undefined) return known === nothing ? undefined : (known as T);
    const answer = convert(record);
    done.set(record, answer ?? nothing);
    return answer;
  };
}

class MmdbEnricher implements Enricher {
  readonly #cityDbs: readonly OpenDb[];
  readonly #asnDbs: readonly OpenDb[];
  /** Answers by address, misses included (as {@link MISS}): the same peers recur on every line. */
  readonly #answers: LRUCache<string, Enrichment>;
  readonly #geoOf = perRecord(geoFromRecord);
  readonly #asOf = perRecord(asFromRecord);

  constructor(cityDbs: readonly OpenDb[], asnDbs: readonly OpenDb[], answerCacheSize: number) {
    this.#cityDbs = cityDbs;
    this.#asnDbs = asnDbs;
    this.#answers = new LRUCache({ max: answerCacheSize });
  }

  lookup(ip: string): Enrichment | undefined {
    const cached = this.#answers.get(ip);
    if (cached !== undefined) return cached === MISS ? undefined : cached;
    const answer = this.#resolve(ip);
    this.#answers.set(ip, answer ?? MISS);
    return answer;
  }

  #resolve(ip: string): Enrichment | undefined {
    if (!isPublicAddress(ip)) return undefined;
    // ::ffff:a.b.c.d and 64:ff9b::a.b.c.d are IPv4 hosts: IPv4-only databases must see them too.
    const inner = embeddedIPv4(ip);
    const address = inner ?? ip;
    // A valid address with a colon is IPv6.
    const v6 = inner === undefined && ip.includes(':');
    const geo = firstAnswer(this.#cityDbs, address, v6, this.#geoOf);
    const as = firstAnswer(this.#asnDbs, address, v6, this.#asOf);
    if (geo === undefined && as === undefined) return undefined;
    return Object.freeze({ ...(geo && { geo }), ...(as && { as }) });
  }
}

/**
 * Opens the configured databases (all of them, checked, before returning) and returns an
 * enricher over them (with no database configured, the no-op enricher) and the databases' shared
 * bytes for parse threads ({@link enricherFromShared}).
 * @throws GeoDbError naming the path when a file is missing, unreadable, corrupt or of the wrong kind.
 */
export async function openEnrichment(options: EnricherOptions): Promise<{ enricher: Enricher; shared: SharedEnrichment }> {
  const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  const cityDbs = await Promise.all(options.cityDbs.map((path) => openDb(path, 'city', cacheSize)));
  const asnDbs = options.asnDb === undefined ? [] : [await openDb(options.asnDb, 'asn', cacheSize)];
  const answerCacheSize = options.answerCacheSize ?? DEFAULT_ANSWER_CACHE_SIZE;
  const shared = { city: cityDbs.map((d) => d.db), asn: asnDbs.map((d) => d.db), cacheSize, answerCacheSize };
  const enricher = cityDbs.length === 0 && asnDbs.length === 0 ? noopEnricher : new MmdbEnricher(cityDbs, asnDbs, answerCacheSize);
  return { enricher, shared };
}

/** {@link openEnrichment}'s enricher alone. */
export async function openEnricher(options: EnricherOptions): Promise<Enricher> {
  return (await openEnrichment(options)).enricher;
}

/**
 * An enricher over databases another thread opened and checked: same answers, same bytes (shared,
 * not copied); its caches are its own.
 */
export function enricherFromShared(shared: SharedEnrichment): Enricher {
  if (shared.city.length === 0 && shared.asn.length === 0) return noopEnricher;
  // Through workerData a Buffer arrives as a plain Uint8Array over the same SharedArrayBuffer.
  const over = ({ path, bytes }: SharedDb) => families(newReader(path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), shared.cacheSize));
  return new MmdbEnricher(shared.city.map(over), shared.asn.map(over), shared.answerCacheSize);
}
