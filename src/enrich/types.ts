/** What enrichment adds to an address. Pure data; the readers live in geoip.ts. */

/** Where an address is, as far as the GeoIP database knows. Empty parts are left out. */
export interface GeoInfo {
  /** ISO 3166-1 alpha-2, e.g. `GB`. */
  readonly country_iso_code?: string;
  /** English country name, e.g. `United Kingdom`. */
  readonly country_name?: string;
  /** English name of the first subdivision (state, region), e.g. `England`. */
  readonly region_name?: string;
  readonly city_name?: string;
  /** An OpenSearch geo_point in object form. */
  readonly location?: { readonly lat: number; readonly lon: number };
}

/** Which autonomous system announces an address. */
export interface AsInfo {
  readonly number?: number;
  readonly organization?: string;
}

/** The answer for one address; a part is absent when no database knew it. */
export interface Enrichment {
  readonly geo?: GeoInfo;
  readonly as?: AsInfo;
}

/** Looks addresses up. Implementations must be cheap to call per record (they cache). */
export interface Enricher {
  /** Undefined when the address is not public or no database knows anything about it. */
  lookup(ip: string): Enrichment | undefined;
}
