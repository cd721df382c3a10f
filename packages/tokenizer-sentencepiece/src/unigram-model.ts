import { ByteTrie } from './byte-trie.js';
import { PieceType, type SentencePieceModel } from './sentencepiece-model.js';
import { utf8CharLength } from './utf8.js';

/** unigram_model.h kUnkPenalty: an unknown character scores this much below the rarest piece. */
const UNK_PENALTY = 10;
/** FLT_MIN, which sentencepiece starts its maximum score from (so the maximum is never below it). */
const FLT_MIN = 1.1754943508222875e-38;

/** A segmentation: piece i covers normalized bytes [ends[i - 1] (0 for the first), ends[i]). */
export interface Segmentation {
  readonly ids: number[];
  readonly ends: number[];
}

/**
 * sentencepiece's unigram model (unigram_model.cc): the pieces of type NORMAL, USER_DEFINED and UNUSED in a
 * trie of their UTF-8 bytes, and Model::EncodeOptimized, the Viterbi search over byte positions that keeps
 * only the best path ending at each position. Scores are float32 as in the C++: a candidate path score is
 * computed in double from float operands and stored rounded to float, an unknown character's in float.
 */
export class UnigramModel {
  readonly trie = new ByteTrie();
  readonly unkId: number;
  private readonly scores: Float32Array;
  private readonly types: Uint8Array;
  private readonly maxScore: number;
  private readonly unkScore: number;

  constructor(model: SentencePieceModel) {
    const encoder = new TextEncoder();
    this.scores = Float32Array.from(model.pieces, (p) => p.score);
    this.types = Uint8Array.from(model.pieces, (p) => p.type);
    this.unkId = model.pieces.findIndex((p) => p.type === PieceType.UNKNOWN);
    let minScore = Number.MAX_VALUE;
    let maxScore = FLT_MIN;
    model.pieces.forEach(({ piece, score, type }, id) => {
      if (type === PieceType.NORMAL || type === PieceType.USER_DEFINED || type === PieceType.UNUSED) this.trie.insert(encoder.encode(piece), id);
      if (type === PieceType.NORMAL) {
        minScore = Math.min(minScore, score);
        maxScore = Math.max(maxScore, score);
      }
    });
    // min_score_ starts at FLT_MAX; with no normal piece, FLT_MAX - 10 rounds back to FLT_MAX in float.
    this.unkScore = Math.fround((minScore === Number.MAX_VALUE ? 3.4028234663852886e38 : minScore) - UNK_PENALTY);
    this.maxScore = maxScore;
  }

  /** The best segmentation of normalized UTF-8 bytes. */
  encode(normalized: Uint8Array): Segmentation {
    const size = normalized.length;
    const { trie, scores, types } = this;
    // The best path ending at each byte position: its score, where its last piece starts, and that piece's id.
    const bestScore = new Float64Array(size + 1);
    const bestStart = new Int32Array(size + 1).fill(-1);
    const bestId = new Int32Array(size + 1);
    const update = (end: number, start: number, id: number, candidate: number) => {
      if (bestStart[end] === -1 || candidate > bestScore[end]) {
        bestScore[end] = Math.fround(candidate);
        bestStart[end] = start;
        bestId[end] = id;
      }
    };
    for (let start = 0; start < size; ) {
      const scoreTillHere = bestScore[start];
      const charLength = Math.min(utf8CharLength(normalized[start]), size - start);
      let hasSingleCharPiece = false;
      for (let end = start, node = 0; end < size; ) {
        node = trie.child(node, normalized[end++]);
        if (node === -1) break;
        const id = trie.value(node);
        if (id === -1 || types[id] === PieceType.UNUSED) continue;
        const length = end - start;
        // A user-defined symbol gets a bonus so that it is always chosen.
        const score = types[id] === PieceType.USER_DEFINED ? Math.fround(length * this.maxScore) - 0.1 : scores[id];
        update(end, start, id, score + scoreTillHere);
        if (length === charLength) hasSingleCharPiece = true;
      }
      if (!hasSingleCharPiece) update(start + charLength, start, this.unkId, Math.fround(this.unkScore + scoreTillHere));
      start += charLength;
    }
    const ids: number[] = [];
    const ends: number[] = [];
    for (let end = size; end > 0; end = bestStart[end]) {
      ids.push(bestId[end]);
      ends.push(end);
    }
    return { ids: ids.reverse(), ends: ends.reverse() };
  }
}
