/**
 * Log-group selectors (`/vpc/flow` names one group, `/vpc/*` every group whose name starts with
 * `/vpc/`) and the per-group flow-log formats keyed by such selectors.
 */
import { quoted } from '../../core/text.js';
import { headerlessFormat } from '../vpc-flow/headerless.js';
import { isParseError, type FlowFormat, type ParseError } from '../vpc-flow/parse.js';
import type { FormatOf } from './events.js';

/** A selector: an exact group name, or a prefix when written with a trailing `*`. */
export interface GroupSelector {
  readonly prefix: boolean;
  readonly text: string;
}

/** `/vpc/*` → prefix `/vpc/`; anything else → that exact name. */
export function groupSelector(written: string): GroupSelector {
  return written.endsWith('*') ? { prefix: true, text: written.slice(0, -1) } : { prefix: false, text: written };
}

export function selects(selector: GroupSelector, group: string): boolean {
  return selector.prefix ? group.startsWith(selector.text) : group === selector.text;
}

/**
 * Parses `CWL_GROUP_FORMATS`, a JSON object from selector to format string
 * (`{"/vpc/prod-*": "${version} ${vpc-id} …"}`), into the function that gives a group its format:
 * the exact name first, then the longest matching prefix, else `fallback` (`FLOW_FORMAT`).
 */
export function groupFormats(json: string | undefined, fallback: FlowFormat): FormatOf | ParseError {
  if (json === undefined || json.trim() === '') return () => fallback;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    // JSON.parse quotes the input: escaped, so no control character reaches a terminal.
    return { error: `not JSON: ${quoted(err instanceof Error ? err.message : String(err), 200)}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { error: 'must be a JSON object {"<group or prefix*>": "<format>"}' };
  const rules: Array<{ selector: GroupSelector; format: FlowFormat }> = [];
  for (const [written, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') return { error: `the format of ${quoted(written, 200)} is not a string` };
    const format = headerlessFormat(value);
    if (isParseError(format)) return { error: `the format of ${quoted(written, 200)}: ${format.error}` };
    rules.push({ selector: groupSelector(written), format });
  }
  // Exact names before prefixes, longer prefixes before shorter: the most specific rule wins.
  rules.sort((a, b) => Number(a.selector.prefix) - Number(b.selector.prefix) || b.selector.text.length - a.selector.text.length);
  return (group) => rules.find((rule) => selects(rule.selector, group))?.format ?? fallback;
}
