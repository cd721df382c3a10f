import type { PairTable } from './pair-table.js';

function swapIn(array: Int32Array, a: number, b: number): void {
  const t = array[a];
  array[a] = array[b];
  array[b] = t;
}

/**
 * A min-heap of adjacent pairs keyed by (merge rank, position of the left symbol), on typed arrays: a long word
 * pushes up to three entries per symbol, and objects for each would dominate the time.
 */
class PairHeap {
  private readonly rank: Int32Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  /** The left and right symbols' versions when the entry was pushed; a later merge makes the entry stale. */
  private readonly leftVersion: Int32Array;
  private readonly rightVersion: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.rank = new Int32Array(capacity);
    this.left = new Int32Array(capacity);
    this.right = new Int32Array(capacity);
    this.leftVersion = new Int32Array(capacity);
    this.rightVersion = new Int32Array(capacity);
  }

  private less(a: number, b: number): boolean {
    return this.rank[a] < this.rank[b] || (this.rank[a] === this.rank[b] && this.left[a] < this.left[b]);
  }

  private swap(a: number, b: number): void {
    swapIn(this.rank, a, b);
    swapIn(this.left, a, b);
    swapIn(this.right, a, b);
    swapIn(this.leftVersion, a, b);
    swapIn(this.rightVersion, a, b);
  }

  push(rank: number, left: number, right: number, leftVersion: number, rightVersion: number): void {
    let i = this.size++;
    this.rank[i] = rank;
    this.left[i] = left;
    this.right[i] = right;
    this.leftVersion[i] = leftVersion;
    this.rightVersion[i] = rightVersion;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  get topRank(): number {
    return this.rank[0];
  }

  /** Removes the top entry and returns [left, right, leftVersion, rightVersion]. */
  pop(): [number, number, number, number] {
    const top: [number, number, number, number] = [this.left[0], this.right[0], this.leftVersion[0], this.rightVersion[0]];
    this.size--;
    if (this.size > 0) {
      this.swap(0, this.size);
      let i = 0;
      for (;;) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let least = i;
        if (l < this.size && this.less(l, least)) least = l;
        if (r < this.size && this.less(r, least)) least = r;
        if (least === i) break;
        this.swap(i, least);
        i = least;
      }
    }
    return top;
  }
}

/**
 * simple_tokenizer's `bpe` loop in O(n log n) rather than O(n^2) (issue 16: one 1 MB word never finished): the
 * same merges, found through a heap of adjacent pairs instead of a scan per merge. Each round takes every
 * pair of the lowest rank present and merges its occurrences left to right, skipping one whose left symbol
 * an earlier merge of the round consumed ("a a a" -> "aa a"), exactly as the reference's rebuild of the word;
 * pairs the round creates wait for the next round, as in the reference.
 */
export function mergeLongWord(symbols: readonly number[], pairRank: PairTable, mergedId: Int32Array): number[] {
  const n = symbols.length;
  const token = Int32Array.from(symbols);
  const next = new Int32Array(n);
  const previous = new Int32Array(n);
  const version = new Int32Array(n); // -1: merged into its left neighbour
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    previous[i] = i - 1;
  }
  const heap = new PairHeap(3 * n);
  const pushPair = (left: number, right: number) => {
    const rank = pairRank.get(token[left], token[right]);
    if (rank !== -1) heap.push(rank, left, right, version[left], version[right]);
  };
  for (let i = 0; i + 1 < n; i++) pushPair(i, i + 1);
  const round: [number, number, number, number][] = [];
  while (heap.size > 0) {
    const rank = heap.topRank;
    round.length = 0;
    while (heap.size > 0 && heap.topRank === rank) round.push(heap.pop()); // in position order
    for (const [left, right, leftVersion, rightVersion] of round) {
      if (version[left] !== leftVersion || version[right] !== rightVersion || next[left] !== right) continue;
      token[left] = mergedId[rank];
      version[left]++;
      version[right] = -1;
      next[left] = next[right];
      if (next[left] !== -1) previous[next[left]] = left;
      if (previous[left] !== -1) pushPair(previous[left], left);
      if (next[left] !== -1) pushPair(left, next[left]);
    }
  }
  const out: number[] = [];
  for (let i = 0; i !== -1; i = next[i]) out.push(token[i]);
  return out;
}
