import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type HubDownloadProgress, ProgressMeter, stderrProgressBar } from './download-progress.js';

describe('ProgressMeter', () => {
  it('adds bytes over files, counts resumed bytes as done but not as received, and derives the ETA from the rate', async () => {
    const events: HubDownloadProgress[] = [];
    const meter = new ProgressMeter(1000, (p) => events.push(p));
    meter.add('a', 400, true); // left by an earlier run: no rate yet
    expect(events[0]).toEqual({ file: 'a', bytes: 400, total: 1000, bytesPerSecond: 0, etaSeconds: undefined });
    await new Promise((done) => setTimeout(done, 25));
    meter.add('a', 100);
    const { bytes, bytesPerSecond, etaSeconds } = events[1];
    expect(bytes).toBe(500);
    expect(bytesPerSecond).toBeGreaterThan(0);
    expect(bytesPerSecond).toBeLessThan(100 / 0.02 + 1); // 100 received bytes over at least 20 ms
    expect(etaSeconds).toBeCloseTo(500 / bytesPerSecond, 9);
  });
});

describe('stderrProgressBar', () => {
  it('draws nothing when the stream is not a terminal', () => {
    expect(stderrProgressBar(Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream)).toBeUndefined();
  });

  it('draws file, megabytes, rate and time left on a terminal, and a new bar for a later phase', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 200, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const report = stderrProgressBar(stream as unknown as NodeJS.WriteStream);
    report?.({ file: 'model.safetensors', bytes: 1.5e6, total: 3e6, bytesPerSecond: 5e5, etaSeconds: 3 });
    report?.({ file: 'model.safetensors', bytes: 3e6, total: 3e6, bytesPerSecond: 5e5, etaSeconds: 0 });
    report?.({ file: 'shard-1.safetensors', bytes: 1e6, total: 2e6, bytesPerSecond: 5e5, etaSeconds: 2 });
    const drawn = chunks.join('');
    expect(drawn).toContain('model.safetensors');
    expect(drawn).toContain('1.5/3.0 MB | 0.5 MB/s | 3s left');
    expect(drawn).toContain('shard-1.safetensors');
    expect(drawn).toContain('1.0/2.0 MB');
  });
});
