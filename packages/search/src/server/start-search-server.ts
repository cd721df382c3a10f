import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ImageIndex } from '../index/image-index.js';
import { PreparePool } from '../pipeline/prepare-pool.js';
import { describeModel, type SearchEmbedder } from '../search-embedder.js';
import { createSearchServer } from './search-server.js';
import type { SearchServerLimits } from './search-server-limits.js';

export interface StartSearchServerOptions {
  readonly dbPath: string;
  readonly embedder: SearchEmbedder;
  /** Default 127.0.0.1: only this machine can connect unless told otherwise. */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  readonly limits?: Partial<SearchServerLimits>;
  /** Worker threads decoding uploads. Default 1. */
  readonly workers?: number;
  readonly log?: (message: string) => void;
  /** The preparation worker script (tests run the compiled one from dist). */
  readonly workerScript?: URL;
}

export interface RunningSearchServer {
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly app: FastifyInstance;
  /** Stops accepting requests, finishes the ones in flight, and releases the index and the workers. */
  close(): Promise<void>;
}

/** Opens the index (refusing another model than the one that built it) and serves it. */
export async function startSearchServer(options: StartSearchServerOptions): Promise<RunningSearchServer> {
  const index = await ImageIndex.open(options.dbPath, { model: describeModel(options.embedder) });
  const pool = new PreparePool(index.model.preprocess, options.workers ?? 1, options.workerScript);
  const close = async () => {
    await pool.dispose();
    index.close();
  };
  try {
    const app = await createSearchServer({ index, embedder: options.embedder, prepareImage: (bytes) => pool.bytes(bytes), limits: options.limits, log: options.log });
    const host = options.host ?? '127.0.0.1';
    await app.listen({ host, port: options.port ?? 8080 });
    const { port } = app.server.address() as AddressInfo;
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      app,
      close: async () => {
        await app.close();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
