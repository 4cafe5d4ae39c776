const SECONDS_PER_DAY = 86_400;

/**
 * Daily index for a record's event time, in UTC: `prefix-YYYY.MM.DD`. Daily indices keep deletion
 * by retention cheap (drop an index) and bound each index's size.
 */
export function dailyIndex(prefix: string, epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `${prefix}-${d.getUTCFullYear()}.${mm}.${dd}`;
}

/** dailyIndex for one prefix, remembering the last day: records of one object share a day or two. */
export function dailyIndexFor(prefix: string): (epochSeconds: number) => string {
  let lastDay = Number.NaN;
  let lastName = '';
  return (epochSeconds) => {
    const day = Math.floor(epochSeconds / SECONDS_PER_DAY);
    if (day !== lastDay) {
      lastDay = day;
      lastName = dailyIndex(prefix, epochSeconds);
    }
    return lastName;
  };
}
