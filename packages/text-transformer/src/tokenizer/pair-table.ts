/**
 * A hash table from a pair of token ids to a value (the pair's merge rank), open addressing over typed
 * arrays: BPE looks pairs up constantly, and ~49k Map entries keyed by left * size + right (beyond small
 * integers) are slow to build and to query.
 */
export class PairTable {
  private readonly lefts: Int32Array;
  private readonly rights: Int32Array;
  private readonly values: Int32Array;
  private readonly mask: number;

  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.mask = size - 1;
    this.lefts = new Int32Array(size).fill(-1);
    this.rights = new Int32Array(size);
    this.values = new Int32Array(size);
  }

  /** Sets the value of (left, right), replacing an earlier one. Ids are non-negative. */
  set(left: number, right: number, value: number): void {
    let slot = this.slotOf(left, right);
    while (this.lefts[slot] !== -1 && (this.lefts[slot] !== left || this.rights[slot] !== right)) slot = (slot + 1) & this.mask;
    this.lefts[slot] = left;
    this.rights[slot] = right;
    this.values[slot] = value;
  }

  /** The value of (left, right), or -1 when the pair is absent. */
  get(left: number, right: number): number {
    for (let slot = this.slotOf(left, right); ; slot = (slot + 1) & this.mask) {
      const l = this.lefts[slot];
      if (l === -1) return -1;
      if (l === left && this.rights[slot] === right) return this.values[slot];
    }
  }

  private slotOf(left: number, right: number): number {
    return (Math.imul(left, 0x9e3779b1) ^ Math.imul(right, 0x85ebca6b)) & this.mask;
  }
}
