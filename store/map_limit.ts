/**
 * `items.map(fn)` with at most `limit` calls in flight; results keep the input order. Bounds the
 * requests a large read sends to the store at once.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * {@linkcode mapLimit} as a stream: yields `fn(item)` in input order as each becomes available,
 * with at most `limit` calls in flight and at most `limit` results held, so a reply can be
 * written while later items are still being read. A rejection is thrown where its result would
 * have been yielded; the calls still in flight then finish unobserved (never as unhandled
 * rejections). Stopping early (`return()`) starts no further calls.
 */
export async function* mapLimitStream<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const inFlight: Promise<R>[] = [];
  let next = 0;
  const start = () => {
    const p = fn(items[next++]);
    // Observed here so that one left behind by an earlier rejection never goes unhandled.
    p.catch(() => {});
    inFlight.push(p);
  };
  while (inFlight.length < limit && next < items.length) start();
  while (inFlight.length > 0) {
    const r = await inFlight.shift()!;
    if (next < items.length) start();
    yield r;
  }
}
