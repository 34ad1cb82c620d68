/**
 * A value read at most once per `ttlMs` and shared by every caller meanwhile; a failed read is
 * forgotten at once, so the next caller tries again.
 */
export function cachedFor<T>(
  ttlMs: number,
  read: () => Promise<T>,
  clock: () => number = Date.now,
): () => Promise<T> {
  let cache: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = clock();
    if (!cache || now - cache.at > ttlMs) {
      const value = read();
      const entry = { at: now, value };
      value.catch(() => {
        if (cache === entry) cache = undefined;
      });
      cache = entry;
    }
    return cache.value;
  };
}

/**
 * `{"<key>":[<items>], ...rest}` where each item is already JSON text (records as the store keeps
 * them), so a page view does not parse and serialize them again.
 */
export function jsonWithRawArray(
  key: string,
  items: readonly string[],
  rest: object,
): string {
  const tail = JSON.stringify(rest);
  const head = `{${JSON.stringify(key)}:[${items.join(',')}]`;
  return tail === '{}' ? `${head}}` : `${head},${tail.slice(1)}`;
}
