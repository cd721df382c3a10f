import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipkitError } from '@clipkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from './load-fashion-mnist.js';

// Debian's dataset-fashion-mnist (see shared/fixtures/fashion-mnist/README.md); .ci/run installs it.
const DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';
const scratch = mkdtempSync(join(tmpdir(), 'clipkit-fmnist-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function countLabels(labels: Uint8Array): number[] {
  const counts = new Array(10).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

describe('loadFashionMnist', () => {
  it("reads Debian's files: 60,000 training and 10,000 test images, 6,000 / 1,000 of each class", () => {
    const { train, test } = loadFashionMnist(DEBIAN_DIR);
    expect([train.count, train.images.length, train.labels.length]).toEqual([60_000, 60_000 * 784, 60_000]);
    expect([test.count, test.images.length, test.labels.length]).toEqual([10_000, 10_000 * 784, 10_000]);
    expect(countLabels(train.labels)).toEqual(new Array(10).fill(6_000));
    expect(countLabels(test.labels)).toEqual(new Array(10).fill(1_000));
  });

  it('says how to install the data when the folder is missing', () => {
    const missing = join(scratch, 'nowhere');
    expect(() => loadFashionMnist(missing)).toThrow(ClipkitError);
    expect(() => loadFashionMnist(missing)).toThrow(`Fashion-MNIST folder ${missing} (data.path) does not exist`);
    expect(() => loadFashionMnist(missing)).toThrow('sudo apt-get install dataset-fashion-mnist');
    expect(() => loadFashionMnist(missing)).toThrow('--data DIR');
  });

  it('names the missing files of an incomplete folder', () => {
    const made = mkdtempSync(join(scratch, 'partial-'));
    copyFileSync(join(DEBIAN_DIR, 't10k-labels-idx1-ubyte.gz'), join(made, 't10k-labels-idx1-ubyte.gz'));
    expect(() => loadFashionMnist(made)).toThrow('lacks train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz)');
    expect(() => loadFashionMnist(made)).toThrow('sudo apt-get install dataset-fashion-mnist');
  });
});
