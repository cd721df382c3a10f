/**
 * Reads `depth` items ahead of the consumer: while the consumer runs its (synchronous) training step, the
 * next items are already being produced, by work off the main thread (a worker, sharp's libuv threads) or,
 * for cheap in-thread production, in the gaps between steps. Breaking out of the loop stops the source.
 */
export async function* prefetch<T>(source: AsyncIterable<T>, depth: number): AsyncGenerator<T> {
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`prefetch depth must be an integer >= 1, got ${depth}`);
  const iterator = source[Symbol.asyncIterator]();
  // An async generator queues calls to next() and answers them in order, so asking early is the read-ahead.
  const queue: Promise<IteratorResult<T>>[] = [];
  const ask = () => {
    const next = iterator.next();
    // A failure surfaces when the consumer reaches that item; until then it must not count as unhandled.
    next.catch(() => undefined);
    queue.push(next);
  };
  let done = false;
  try {
    while (queue.length < depth) ask();
    for (;;) {
      const result = await queue.shift()!;
      if (result.done) {
        done = true;
        return;
      }
      ask(); // `depth` items in the making while the consumer works on this one
      yield result.value;
    }
  } finally {
    if (!done) await iterator.return?.();
  }
}
