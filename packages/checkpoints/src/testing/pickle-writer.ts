import { OP } from '../pickle/opcodes.js';

/**
 * Writes pickle opcodes one by one, so that tests can build exactly the pickle they mean (including
 * hostile ones) without pickling a live object. Integers take the smallest opcode CPython would use.
 */
export class PickleWriter {
  private bytes: number[] = [];

  op(code: number, ...args: readonly number[]): this {
    this.bytes.push(code, ...args);
    return this;
  }

  raw(bytes: Uint8Array): this {
    for (const b of bytes) this.bytes.push(b);
    return this;
  }

  private le(value: number, width: number): number[] {
    return Array.from({ length: width }, (_, i) => Number((BigInt(value) >> BigInt(8 * i)) & 0xffn));
  }

  proto(version = 2): this {
    return this.op(OP.PROTO, version);
  }

  /** GLOBAL "module\nname\n". */
  global(module: string, name: string): this {
    return this.op(OP.GLOBAL).raw(new TextEncoder().encode(`${module}\n${name}\n`));
  }

  int(value: number | bigint): this {
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 0x100) return this.op(OP.BININT1, value);
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 0x10000) return this.op(OP.BININT2, ...this.le(value, 2));
    if (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value < 0x80000000) return this.op(OP.BININT, ...this.le(value >>> 0, 4));
    // LONG1: the shortest two's-complement little-endian encoding.
    let big = BigInt(value);
    const out: number[] = [];
    for (;;) {
      out.push(Number(big & 0xffn));
      big >>= 8n;
      const sign = out[out.length - 1] & 0x80;
      if ((big === 0n && !sign) || (big === -1n && sign)) break;
    }
    return this.op(OP.LONG1, out.length, ...out);
  }

  float(value: number): this {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value, false);
    return this.op(OP.BINFLOAT).raw(new Uint8Array(view.buffer));
  }

  str(value: string): this {
    const bytes = new TextEncoder().encode(value);
    return this.op(OP.BINUNICODE, ...this.le(bytes.length, 4)).raw(bytes);
  }

  none(): this {
    return this.op(OP.NONE);
  }

  bool(value: boolean): this {
    return this.op(value ? OP.NEWTRUE : OP.NEWFALSE);
  }

  mark(): this {
    return this.op(OP.MARK);
  }

  /** TUPLE after a MARK. */
  tuple(): this {
    return this.op(OP.TUPLE);
  }

  /** A tuple of ints: MARK, the ints, TUPLE. */
  ints(values: readonly (number | bigint)[]): this {
    this.mark();
    for (const v of values) this.int(v);
    return this.tuple();
  }

  emptyTuple(): this {
    return this.op(OP.EMPTY_TUPLE);
  }

  emptyList(): this {
    return this.op(OP.EMPTY_LIST);
  }

  emptyDict(): this {
    return this.op(OP.EMPTY_DICT);
  }

  appends(): this {
    return this.op(OP.APPENDS);
  }

  setitems(): this {
    return this.op(OP.SETITEMS);
  }

  /** BINPUT or LONG_BINPUT. */
  put(index: number): this {
    return index < 0x100 ? this.op(OP.BINPUT, index) : this.op(OP.LONG_BINPUT, ...this.le(index, 4));
  }

  /** BINGET or LONG_BINGET. */
  get(index: number): this {
    return index < 0x100 ? this.op(OP.BINGET, index) : this.op(OP.LONG_BINGET, ...this.le(index, 4));
  }

  reduce(): this {
    return this.op(OP.REDUCE);
  }

  build(): this {
    return this.op(OP.BUILD);
  }

  newobj(): this {
    return this.op(OP.NEWOBJ);
  }

  persid(): this {
    return this.op(OP.BINPERSID);
  }

  stop(): this {
    return this.op(OP.STOP);
  }

  /** `collections.OrderedDict()` as torch pickles it: GLOBAL, EMPTY_TUPLE, REDUCE. */
  orderedDict(): this {
    return this.global('collections', 'OrderedDict').emptyTuple().reduce();
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}
