/**
 * The land outline under the HTML report's map: Natural Earth's 1:110m land (public domain) as the
 * `world-atlas` package (ISC) ships it in TopoJSON, turned into GeoJSON by `topojson-client` (ISC)
 * and drawn as one SVG path, so the page carries the outline inline and needs no network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { project } from './svg-charts.js';

const require = createRequire(import.meta.url);

/**
 * One ring as path segments. A ring crossing the antimeridian (Chukotka, Fiji) is unwrapped so its
 * longitudes run on past ±180, then drawn a second time a world-width over: the SVG's box clips both.
 */
export function ringPath(ring: readonly Position[]): string {
  const unwrapped: Array<[number, number]> = [];
  let offset = 0;
  let previous = ring[0]?.[0] ?? 0;
  for (const [lon = 0, lat = 0] of ring) {
    let l = lon + offset;
    if (l - previous > 180) { offset -= 360; l -= 360; }
    else if (l - previous < -180) { offset += 360; l += 360; }
    unwrapped.push([l, lat]);
    previous = l;
  }
  const lons = unwrapped.map(([l]) => l);
  const shifts = [0, ...(Math.max(...lons) > 180 ? [-360] : []), ...(Math.min(...lons) < -180 ? [360] : [])];
  return shifts.map((shift) => `M${unwrapped.map(([l, lat]) => project(l + shift, lat).map((v) => v.toFixed(1)).join(',')).join('L')}Z`).join('');
}

let cached: string | undefined;

/** The land of the world as an SVG path `d` in the map's projection (computed once per process). */
export function landPath(): string {
  if (cached !== undefined) return cached;
  const topology = JSON.parse(readFileSync(require.resolve('world-atlas/land-110m.json'), 'utf8')) as Topology;
  const land = topology.objects['land'];
  if (!land) throw new Error('world-atlas/land-110m.json has no "land" object');
  const shapes = feature(topology, land);
  const geometries = ('features' in shapes ? shapes.features : [shapes]).map((f) => f.geometry as Polygon | MultiPolygon);
  const polygons = geometries.flatMap((g) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates));
  cached = polygons.flatMap((rings) => rings.map(ringPath)).join('');
  return cached;
}
