/**
 * URLs may carry credentials (`https://user:password@host`): none is ever printed. Every log line
 * (the logger's hooks), every error text ({@link messageOf}) and the settings error pass through
 * here, so a secret in a URL is cut out wherever the URL came from (a setting, an SDK error, a
 * dead letter's reason).
 */

/** `scheme://userinfo@`: a scheme as RFC 3986 spells it, then everything up to the last `@` of the authority (a password may hold an unescaped `@`). */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>]*@/gi;

/** The text with the userinfo of every URL in it replaced by `[redacted]`. */
export function redactUrls(text: string): string {
  return text.includes('@') ? text.replace(USERINFO, '$1[redacted]@') : text;
}

/** A copy of a JSON-like value with {@link redactUrls} applied to every string (keys included), depth-limited. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactUrls(value);
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return Object.assign(new Error(redactUrls(value.message)), { name: value.name, stack: redactUrls(value.stack ?? '') });
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[redactUrls(k)] = redactDeep(v, depth + 1);
  return out;
}
