import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Enricher } from '../../../../src/enrich/types.js';
import { ADDRESS_BOOK_SIZE, ADDRESS_HASH_START, AddressBook, addressBookOf, addressHashStep } from '../../../../src/formats/vpc-flow/addresses.js';

/**
 * The address book: what it knows of an address, that it asks the enricher once per distinct
 * address (wherever the address sits in a line), how it finds addresses whose hashes collide
 * (also across the end of its table and at its first slot), and that it forgets everything at once when full.
 */
const text = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8'));

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

function span(book: AddressBook, line: string, start = 0, end = Buffer.byteLength(line)) {
  const bytes = Buffer.from(line, 'latin1');
  return book.span(bytes, start, end, hashOf(bytes, start, end));
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
  it('knows an address: valid, its JSON, public or not, enrichment JSON and bytes', () => {
    const book = new AddressBook(counting());
    const pub = span(book, '81.2.69.142');
    assert.deepEqual({ ...pub, json: text(pub.json), geoJson: text(pub.geoJson), asJson: text(pub.asJson) }, {
      valid: true, json: '"81.2.69.142"', isPublic: true, geoJson: '{"country_iso_code":"GB"}', asJson: '{"number":20712,"organization":"A & A"}', bytes: new Uint8Array([81, 2, 69, 142]),
      // The three JSON values together: 13 + 25 + 39 bytes.
      jsonBytes: 77,
    });
    const own = span(book, 'fd00::1');
    assert.deepEqual([own.valid, text(own.json), own.isPublic, own.geoJson, own.asJson, own.bytes?.length, own.jsonBytes], [true, '"fd00::1"', false, undefined, undefined, 16, 9]);
  });

  it('calls what is no address invalid: bad text, a zone id, bytes beyond ASCII', () => {
    const book = new AddressBook(counting());
    for (const bad of ['10.0.0', 'fe80::1%eth0', '10.0.0.1%1', 'é', '']) {
      const facts = span(book, bad);
      assert.deepEqual([facts.valid, text(facts.json), facts.isPublic, facts.geoJson, facts.asJson, facts.bytes, facts.jsonBytes], [false, '""', false, undefined, undefined, undefined, 2], bad);
    }
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
    for (const address of [...edges, ...prefix, ...edges, ...prefix]) assert.equal(text(span(book, address).json), `"${address}"`, address);
    assert.deepEqual(enricher.asked, [...edges, ...prefix]);
  });

  it('forgets every address at once when full, and keeps none it met then', () => {
    const enricher = counting();
    const book = new AddressBook(enricher);
    const address = (n: number) => `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`;
    for (let n = 0; n < ADDRESS_BOOK_SIZE; n++) span(book, address(n));
    span(book, address(0));
    assert.equal(enricher.asked.length, ADDRESS_BOOK_SIZE, 'a full book still answers');
    span(book, '192.0.2.1');
    span(book, '192.0.2.1');
    span(book, address(0));
    span(book, address(0));
    assert.deepEqual(enricher.asked.slice(ADDRESS_BOOK_SIZE), ['192.0.2.1', '192.0.2.1', address(0)]);
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
