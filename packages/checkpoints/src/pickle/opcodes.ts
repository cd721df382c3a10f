/**
 * The pickle opcodes clipkit reads (CPython Lib/pickle.py names and values): protocol 2 as torch.save
 * and torch.jit.save write it, plus the protocol 3-4 framing, strings, bytes and STACK_GLOBAL that
 * `torch.save(..., pickle_protocol=4)` and other writers use. Any other opcode is refused.
 */
export const OP = {
  MARK: 0x28, // (
  STOP: 0x2e, // .
  BINFLOAT: 0x47, // G  8-byte big-endian double
  BININT: 0x4a, // J  4-byte signed little-endian
  BININT1: 0x4b, // K  1-byte unsigned
  BININT2: 0x4d, // M  2-byte unsigned little-endian
  NONE: 0x4e, // N
  BINPERSID: 0x51, // Q
  REDUCE: 0x52, // R
  SHORT_BINSTRING: 0x55, // U  Python 2 str, decoded as UTF-8 (torch.load's default encoding)
  BINUNICODE: 0x58, // X
  BINBYTES: 0x42, // B
  SHORT_BINBYTES: 0x43, // C
  EMPTY_LIST: 0x5d, // ]
  APPEND: 0x61, // a
  BUILD: 0x62, // b
  GLOBAL: 0x63, // c
  APPENDS: 0x65, // e
  BINGET: 0x68, // h
  LONG_BINGET: 0x6a, // j
  BINPUT: 0x71, // q
  LONG_BINPUT: 0x72, // r
  SETITEM: 0x73, // s
  TUPLE: 0x74, // t
  SETITEMS: 0x75, // u
  EMPTY_DICT: 0x7d, // }
  EMPTY_TUPLE: 0x29, // )
  PROTO: 0x80,
  NEWOBJ: 0x81,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a,
  SHORT_BINUNICODE: 0x8c,
  STACK_GLOBAL: 0x93,
  MEMOIZE: 0x94,
  FRAME: 0x95,
} as const;

/** The highest pickle protocol CPython writes (5); PROTO with a larger number is refused. */
export const HIGHEST_PROTOCOL = 5;
