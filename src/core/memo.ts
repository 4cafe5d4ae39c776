/**
 * Remembers a pure function's answers, up to `max` of them; when full it forgets them all at once.
 * Hot per-record lookups repeat their inputs (addresses, start times) and a map hit costs ~20 ns,
 * where LRU bookkeeping on every hit would cost more than it saves.
 */
export function boundedMemo<K, V>(fn: (key: K) => V, max: number): (key: K) => V {
  const answers = new Map<K, V>();
  return (key) => {
    let value = answers.get(key);
    if (value === undefined) {
      if (answers.size >= max) answers.clear();
      value = fn(key);
      answers.set(key, value);
    }
    return value;
  };
}
