/**
 * A trie over UTF-8 byte strings with an integer value per key, walked byte by byte as sentencepiece walks
 * its darts-clone tries (DoubleArray::traverse / commonPrefixSearch). Edges live in one Map keyed by
 * node * 256 + byte.
 */
export class ByteTrie {
  private readonly edges = new Map<number, number>();
  /** Value per node; -1 where no key ends. */
  private readonly values: number[] = [-1];

  insert(key: Uint8Array, value: number): void {
    let node = 0;
    for (const byte of key) {
      let child = this.edges.get(node * 256 + byte);
      if (child === undefined) {
        child = this.values.length;
        this.values.push(-1);
        this.edges.set(node * 256 + byte, child);
      }
      node = child;
    }
    this.values[node] = value;
  }

  /** The child of `node` along `byte`, or -1. The root is node 0. */
  child(node: number, byte: number): number {
    return this.edges.get(node * 256 + byte) ?? -1;
  }

  /** The value of the key ending at `node`, or -1. */
  value(node: number): number {
    return this.values[node];
  }

  /** The length of the longest key that is a prefix of bytes[start, end), or 0. */
  longestPrefix(bytes: Uint8Array, start: number, end: number): number {
    let longest = 0;
    for (let i = start, node = 0; i < end; i++) {
      node = this.child(node, bytes[i]);
      if (node === -1) break;
      if (this.values[node] !== -1) longest = i - start + 1;
    }
    return longest;
  }
}
