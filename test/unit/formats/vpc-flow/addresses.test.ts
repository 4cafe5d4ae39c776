import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Enricher } from '../../../../src/enrich/types.js';
import { ADDRESS_BOOK_SIZE, ADDRESS_HASH_START, AddressBook, NO_ADDRESS, addressBookOf, addressHashStep } from '../../../../src/formats/vpc-flow/addresses.js';
import { Fragment, viewOf } from '../../../../src/formats/vpc-flow/bytes.js';

/**
 * The address book: what it knows of an address, that it asks the enricher once per distinct
 * address (wherever the address sits in a line), how it finds addresses whose hashes collide
 * (also across the end of its table and at its first slot), and that it forgets everything at
 * once when full, at the start of a line.
 */

/** An enricher that knows 81.2.69.142 and counts what it is asked. */
function counting(): Enricher & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    lookup: (ip) => (asked.push(ip), ip === '81.2.69.142' ? { geo: { country_iso_code: 'GB' }, as: { number: 20712, organization: 'A & A' } } : undefined),
  };
}

/** The book's hash of bytes[start, end), as the writer's scan takes it. */
function hashOf(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let hash = ADDRESS_HASH_START;
  for (let i = start; i < end; i++) hash = addressHashStep(hash, bytes[i] as number);
  return hash;
}

/** The entry of line[start, end), as the writer's scan asks for it: each call a line of its own. */
function span(book: AddressBook, line: string, start = 0, end = Buffer.byteLength(line)): number {
  const bytes = Buffer.from(line, 'latin1');
  book.beginLine();
  return book.span(bytes, start, end, hashOf(bytes, start, end));
}

/** What the book writes and says of an entry, as text: the writer's view of it. */
function facts(book: AddressBook, entry: number) {
  const out = Buffer.alloc(book.jsonBytes(entry) + 1);
  const written = (end: number) => (end === 0 ? undefined : out.toString('utf8', 0, end));
  const bytes = new Uint8Array(16);
  const n = book.copyBytes(entry, bytes);
  const view = viewOf(out);
  return {
    json: written(book.writeJson(view, 0, entry)),
    isPublic: book.isPublic(entry),
    geo: written(book.writeGeo(view, 0, entry, new Fragment('G'))),
    as: written(book.writeAs(view, 0, entry, new Fragment('A'))),
    bytes: bytes.slice(0, n),
    jsonBytes: book.jsonBytes(entry),
  };
}

/** The book's slot of an address: its hash, modulo twice the book size (to pick colliding inputs). */
function slotOf(address: string): number {
  return (hashOf(Buffer.from(address, 'latin1')) >>> 0) % (ADDRESS_BOOK_SIZE * 2);
}

/** The first `count` addresses 10.x.y.z whose slot is `slot`. */
function inSlot(slot: number, count: number): string[] {
  const found: string[] = [];
  for (let n = 0; found.length < count; n++) {
    const a = `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`;
    if (slotOf(a) === slot) found.push(a);
  }
  return found;
}

describe('AddressBook.span', () => {
  it('knows an address: its JSON, public or not, enrichment JSON after its key, and bytes', () => {
    const book = new AddressBook(counting());
    assert.deepEqual(facts(book, span(book, '81.2.69.142')), {
      json: '"81.2.69.142"', isPublic: true, geo: 'G{"country_iso_code":"GB"}', as: 'A{"number":20712,"organization":"A & A"}', bytes: new Uint8Array([81, 2, 69, 142]),
      // The three JSON values together: 13 + 25 + 39 bytes.
      jsonBytes: 77,
    });
    assert.deepEqual(facts(book, span(book, 'fd00::1')), {
      json: '"fd00::1"', isPublic: false, geo: undefined, as: undefined, bytes: new Uint8Array([0xfd, ...new Array<number>(14).fill(0), 1]), jsonBytes: 9,
    });
  });

  it('keeps JSON of any length and characters in place, entry after entry, as its arena grows', () => {
    // The first entry alone is more than twice the arena's first size; then the long text is the ASN's, then the city's again.
    const long = (n: number) => 'é'.repeat(n === 0 ? 70_000 : 10_000);
    const geo = (ip: string, n: number) => ({ city_name: n % 2 === 0 ? `${long(n)}${ip}` : ip });
    const as = (ip: string, n: number) => ({ number: n, organization: n % 2 === 1 ? `${long(n)}${ip}` : ip });
    const addresses = Array.from({ length: 6 }, (_, n) => `192.0.2.${n}`);
    const enricher: Enricher = { lookup: (ip) => ({ geo: geo(ip, addresses.indexOf(ip)), as: as(ip, addresses.indexOf(ip)) }) };
    const book = new AddressBook(enricher);
    const entries = addresses.map((a) => span(book, a));
    addresses.forEach((a, n) => {
      const known = facts(book, entries[n] as number);
      assert.deepEqual([known.json, known.geo, known.as], [`"${a}"`, `G${JSON.stringify(geo(a, n))}`, `A${JSON.stringify(as(a, n))}`], a);
    });
  });

  it('calls what is no address no entry: bad text, a zone id, bytes beyond ASCII, text longer than any address', () => {
    const enricher = counting();
    const book = new AddressBook(enricher);
    for (const bad of ['10.0.0', 'fe80::1%eth0', '10.0.0.1%1', 'é', '', `::ffff:${'1'.repeat(60)}`]) {
      assert.equal(span(book, bad), NO_ADDRESS, bad);
      assert.equal(span(book, bad), NO_ADDRESS, `${bad}, again`);
    }
    assert.deepEqual(enricher.asked, [], 'nothing that is no address is looked up');
    // The longest address text: six 4-digit groups and a 15-character IPv4 tail.
    const longest = '0000:0000:0000:0000:0000:ffff:255.255.255.255';
    assert.equal(facts(book, span(book, longest)).json, `"${longest}"`);
  });

  it('asks the enricher once per distinct address, wherever it sits in the line', () => {
    const enricher = counting();
    const book = new AddressBook(enricher);
    const first = span(book, '81.2.69.142');
    assert.equal(span(book, 'x 81.2.69.142 y', 2, 13), first);
    assert.equal(span(book, '81.2.69.1420', 0, 11), first);
    assert.notEqual(span(book, '81.2.69.14'), first);
    assert.deepEqual(enricher.asked, ['81.2.69.142', '81.2.69.14']);
  });

  it('tells apart addresses whose hashes collide, one the prefix of the other, at both ends of the table', () => {
    // Two addresses in the last slot (the second wraps to slot 0), two in the first (the second
    // goes on to slot 1), and a prefix pair sharing a slot.
    const edges = [...inSlot(ADDRESS_BOOK_SIZE * 2 - 1, 2), ...inSlot(0, 2)];
    let prefix: [string, string] | undefined;
    for (let n = 0; prefix === undefined; n++) {
      const short = `10.${(n >> 8) & 255}.${n & 255}.${(n >> 16) % 25 + 1}`;
      for (let d = 0; d < 10 && prefix === undefined; d++) if (slotOf(short) === slotOf(`${short}${d}`)) prefix = [short, `${short}${d}`];
    }
    const enricher = counting();
    const book = new AddressBook(enricher);
    for (const address of [...edges, ...prefix, ...edges, ...prefix]) assert.equal(facts(book, span(book, address)).json, `"${address}"`, address);
    assert.deepEqual(enricher.asked, [...edges, ...prefix]);
    // The longer one met first: the shorter is not taken for it.
    const reversed = new AddressBook(counting());
    for (const address of [...prefix].reverse()) assert.equal(facts(reversed, span(reversed, address)).json, `"${address}"`, address);
  });

  it('tells apart addresses whose whole hashes are equal, of the same length or not, in either order', () => {
    // FNV-1a's 32 bits collide on these pairs of addresses (found by search; asserted here).
    for (const [a, b] of [['10.4.162.218', '10.6.122.102'], ['10.0.107.237', '10.2.219.40']] as const) {
      assert.equal(hashOf(Buffer.from(a)), hashOf(Buffer.from(b)), `${a} and ${b} collide`);
      for (const order of [[a, b], [b, a]]) {
        const enricher = counting();
        const book = new AddressBook(enricher);
        for (const address of [...order, ...order]) assert.equal(facts(book, span(book, address)).json, `"${address}"`, address);
        assert.deepEqual(enricher.asked, order);
      }
    }
  });

  it('decides by the text, whatever the hash: a span given the hash of an address it begins with is not that address', () => {
    const book = new AddressBook(counting());
    const known = span(book, '10.0.0.1');
    const given = (text: string) => {
      const bytes = Buffer.from(text, 'latin1');
      book.beginLine();
      return book.span(bytes, 0, bytes.length, hashOf(Buffer.from('10.0.0.1')));
    };
    // The arena holds `"10.0.0.1"`: the text after the opening quote is `10.0.0.1"`.
    assert.equal(given('10.0.0.1"'), NO_ADDRESS);
    const longer = given('10.0.0.12');
    assert.notEqual(longer, known);
    assert.equal(facts(book, longer).json, '"10.0.0.12"');
    assert.equal(given('10.0.0.1'), known);
  });

  it('grows its arena for an entry that would pass its end by a single byte', () => {
    // The arena's first 64 KiB, each entry a 12-byte head, its quoted text and 4 bytes, rounded up
    // to a multiple of 4: 2,335 entries of 8 characters (28 bytes) and 4 of 12 (32 bytes) fill
    // 65,508 bytes; one of 11 characters takes 29 more, one past the end.
    const book = new AddressBook(counting());
    const eight = Array.from({ length: 2335 }, (_, n) => `1${n % 10}.${Math.floor(n / 10) % 10}.${Math.floor(n / 100) % 10}.${Math.floor(n / 1000)}`);
    const twelve = ['10.10.10.100', '10.10.10.101', '10.10.10.102', '10.10.10.103'];
    for (const address of [...eight, ...twelve]) span(book, address);
    const last = span(book, '10.10.10.10');
    assert.equal(last, 65_508 / 4, 'the entry starts where the layout says');
    assert.deepEqual(facts(book, last), { json: '"10.10.10.10"', isPublic: false, geo: undefined, as: undefined, bytes: Uint8Array.from([10, 10, 10, 10]), jsonBytes: 13 });
    assert.equal(facts(book, span(book, eight[0] as string)).json, `"${eight[0]}"`);
  });

  it('forgets every address at once when full, at the start of the next line, never within one', () => {
    const enricher = counting();
    const book = new AddressBook(enricher);
    const address = (n: number) => `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`;
    const bytes = (a: string) => Buffer.from(a, 'latin1');
    const find = (a: string) => book.span(bytes(a), 0, a.length, hashOf(bytes(a)));
    for (let n = 0; n < ADDRESS_BOOK_SIZE - 2; n++) span(book, address(n));
    // One line whose two addresses fill the book: both join, and the first stays itself.
    book.beginLine();
    const first = find('192.0.2.1');
    const second = find('192.0.2.2');
    assert.deepEqual([facts(book, first).json, facts(book, second).json, facts(book, find(address(0))).json], ['"192.0.2.1"', '"192.0.2.2"', `"${address(0)}"`]);
    assert.equal(enricher.asked.length, ADDRESS_BOOK_SIZE, 'a full book still answers within its line');
    // The next line starts with an empty book.
    span(book, address(0));
    span(book, address(0));
    span(book, '192.0.2.1');
    assert.deepEqual(enricher.asked.slice(ADDRESS_BOOK_SIZE), [address(0), '192.0.2.1']);
  });
});

describe('addressBookOf', () => {
  it('gives one book per enricher', () => {
    const a = counting();
    const b = counting();
    assert.equal(addressBookOf(a), addressBookOf(a));
    assert.notEqual(addressBookOf(a), addressBookOf(b));
    assert.ok(addressBookOf(a) instanceof AddressBook);
  });
});
