import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { imageId, indexImages, type SearchEmbedder, startSearchServer, workerEmbedder } from '@clipkit/search';
import type { Benchmark } from './benchmarks.js';
import { writeRandomJpegs } from './search-images.js';
import { isSearchModelName, randomSearchEmbedder, type SearchModelName } from './search-model.js';
import { latencySummary, rssMiB } from './search-timing.js';

/**
 * The search server under load: `clients` concurrent clients on 127.0.0.1 for `seconds`, each sending text
 * searches (through the model), uploads (decoded on the server's worker, then the model), "more like this"
 * and thumbnails in turn. The server runs in a child process, so its memory is its own; its model runs on
 * a worker thread (workerEmbedder), or with --in-thread 1 on the server's own thread, as tfjs computes, which
 * holds up every other request while a batch is embedded.
 */

const KINDS = ['text', 'upload', 'similar', 'thumbnail'] as const;
type Kind = (typeof KINDS)[number];
const WORDS = ['a dog on a beach', 'red car', 'mountains at sunset', 'a bowl of fruit', 'city street at night', 'a cat asleep', 'blue sky', 'green forest'];

interface Options {
  model: SearchModelName;
  images: number;
  clients: number;
  seconds: number;
  inThread: boolean;
}

function parseArgs(args: string[]): Options {
  const options: Options = { model: 'tiny', images: 200, clients: 32, seconds: 60, inThread: false };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--model' && isSearchModelName(value)) options.model = value;
    else if (flag === '--images' && Number(value) >= 1) options.images = Number(value);
    else if (flag === '--clients' && Number(value) >= 1) options.clients = Number(value);
    else if (flag === '--seconds' && Number(value) > 0) options.seconds = Number(value);
    else if (flag === '--in-thread' && ['0', '1'].includes(value)) options.inThread = value === '1';
    else throw new Error(`search-server: unknown argument "${flag} ${value}"; use --model tiny|vit-b-32, --images 200, --clients 32, --seconds 60, --in-thread 0|1`);
  }
  return options;
}

async function onWorker(model: SearchModelName): Promise<{ embedder: SearchEmbedder; dispose(): Promise<void> }> {
  const embedder = await workerEmbedder(new URL('./search-model-worker.js', import.meta.url), { name: model });
  return { embedder, dispose: () => embedder.dispose() };
}

/** Child mode: index the folder, serve it, and report the process's memory every second. */
async function serve(dir: string, model: SearchModelName, inThread: boolean): Promise<void> {
  const { embedder, dispose } = inThread ? await randomSearchEmbedder(model) : await onWorker(model);
  await indexImages({ root: join(dir, 'images'), dbPath: join(dir, 'db'), embedder, progressBar: false });
  const server = await startSearchServer({ dbPath: join(dir, 'db'), embedder, port: 0 });
  const report = () => console.log(JSON.stringify({ rss: process.memoryUsage.rss() }));
  console.log(JSON.stringify({ url: server.url }));
  report();
  const timer = setInterval(report, 1000);
  process.stdin.on('end', async () => {
    clearInterval(timer);
    await server.close();
    await dispose();
    process.exit(0);
  });
  process.stdin.resume();
}

/** Starts the server child and resolves with its URL; `rss` follows its reports. */
async function startChild(
  dir: string,
  model: SearchModelName,
  inThread: boolean,
): Promise<{ child: ChildProcess; url: string; rss: { first: number; last: number; peak: number } }> {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const child = spawn(process.execPath, [main, 'search-server', '--serve', dir, model, String(inThread)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const rss = { first: 0, last: 0, peak: 0 };
  const url = await new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`the server child exited with code ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as { url?: string; rss?: number };
      if (message.url) resolve(message.url);
      if (message.rss) {
        rss.first ||= message.rss;
        rss.last = message.rss;
        rss.peak = Math.max(rss.peak, message.rss);
      }
    });
  });
  return { child, url, rss };
}

async function request(url: string, kind: Kind, i: number, ids: readonly string[], upload: Uint8Array): Promise<Response> {
  const json = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const id = ids[i % ids.length];
  if (kind === 'text') return json('/api/search/text', { text: WORDS[i % WORDS.length], k: 24 });
  if (kind === 'similar') return json('/api/search/similar', { id, k: 24 });
  if (kind === 'thumbnail') return fetch(`${url}/api/images/${id}/thumbnail`);
  return fetch(`${url}/api/search/image?k=24`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: upload });
}

async function run(args: string[]): Promise<void> {
  if (args[0] === '--serve') return serve(args[1], args[2] as SearchModelName, args[3] === 'true');
  const options = parseArgs(args);
  const dir = await mkdtemp(join(tmpdir(), 'clipkit-search-server-'));
  let child: ChildProcess | undefined;
  try {
    const files = await writeRandomJpegs(join(dir, 'images'), options.images);
    const ids = files.map((file) => imageId(relative(join(dir, 'images'), file)));
    const upload = await readFile(files[0]);
    const started = await startChild(dir, options.model, options.inThread);
    child = started.child;
    const { url, rss } = started;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // one memory report after start
    const rssStart = rss.last;
    console.log(
      `search-server: random ${options.model} model ${options.inThread ? "on the server's thread" : 'on a worker thread'}, ${options.images} images, ${options.clients} clients for ${options.seconds} s on 127.0.0.1; ${availableParallelism()} cores`,
    );

    const latencies = new Map<Kind, number[]>(KINDS.map((kind) => [kind, []]));
    const errors = new Map<Kind, number>(KINDS.map((kind) => [kind, 0]));
    const deadline = performance.now() + options.seconds * 1000;
    await Promise.all(
      Array.from({ length: options.clients }, async (_, client) => {
        for (let n = 0, i = client; performance.now() < deadline; n++, i += options.clients) {
          const kind = KINDS[(client + n) % KINDS.length];
          const t = performance.now();
          try {
            const response = await request(url, kind, i, ids, upload);
            await response.arrayBuffer();
            if (!response.ok) errors.set(kind, errors.get(kind)! + 1);
          } catch {
            errors.set(kind, errors.get(kind)! + 1);
          }
          latencies.get(kind)!.push(performance.now() - t);
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a memory report after the load
    const all = [...latencies.values()].flat();
    const totalErrors = [...errors.values()].reduce((a, b) => a + b, 0);
    console.log(`all        ${(all.length / options.seconds).toFixed(1)} requests/s, ${latencySummary(all)}, ${totalErrors} errors of ${all.length}`);
    for (const kind of KINDS) {
      const ms = latencies.get(kind)!;
      console.log(`${kind.padEnd(10)} ${(ms.length / options.seconds).toFixed(1)} requests/s, ${latencySummary(ms)}, ${errors.get(kind)} errors`);
    }
    console.log(`server RSS ${rssMiB(rssStart)} at start, ${rssMiB(rss.last)} at the end, ${rssMiB(rss.peak)} at most`);
  } finally {
    child?.stdin?.end();
    if (child && child.exitCode === null) await new Promise((resolve) => child!.on('exit', resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

export const searchServer: Benchmark = {
  name: 'search-server',
  description: 'search server under load: requests/s, p50/p99, errors, RSS (--model tiny|vit-b-32, --images 200, --clients 32, --seconds 60)',
  run,
};
