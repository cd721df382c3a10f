import { ClipkitError } from '@clipkit/core';
import { openImageIndex, startSearchServer, workerEmbedder } from '@clipkit/search';
import type { ServeEmbedderOptions } from './serve-embedder.js';

export interface ServeOptions {
  db: string;
  model?: string;
  host: string;
  port: number;
  batchSize: number;
  backend?: string;
}

/** A port that cannot be listened on is the user's to change, not a bug: one line, with what to do. */
function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new ClipkitError(`${host}:${port} is in use: give another --port (0 picks a free one)`);
  if (code === 'EACCES') return new ClipkitError(`${host}:${port}: permission denied (ports below 1024 need privileges); give another --port`);
  if (code === 'EADDRNOTAVAIL') return new ClipkitError(`--host ${host} is not an address of this machine`);
  return error;
}

/** Resolves on Ctrl-C or a termination request. */
function stopRequested(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
  });
}

/** `clipkit serve --db PATH --model REF [--host 127.0.0.1] [--port 8080]`: the search page and its API until stopped. */
export async function serve(options: ServeOptions): Promise<void> {
  const index = await openImageIndex(options.db);
  const { root } = index;
  const ref = options.model ?? index.model.ref;
  const images = await index.count();
  index.close();
  if (ref === null) throw new ClipkitError(`${options.db} does not record where its model is: give --model REF (the model that built the index)`);
  const embedderOptions: ServeEmbedderOptions = { ref, backend: options.backend, batchSize: options.batchSize };
  const embedder = await workerEmbedder(new URL('./serve-embedder.js', import.meta.url), embedderOptions);
  try {
    const server = await startSearchServer({ dbPath: options.db, embedder, host: options.host, port: options.port, log: (message) => console.error(message) }).catch(
      (error: unknown) => {
        throw listenError(error, options.host, options.port);
      },
    );
    console.log(`serving ${images} images of ${root} at ${server.url} (Ctrl-C to stop)`);
    const signal = await stopRequested();
    console.error(`${signal}: stopping`);
    await server.close();
  } finally {
    await embedder.dispose();
  }
}
