import { ByteTrie } from './byte-trie.js';
import { Normalizer } from './normalizer.js';
import { type NormalizerSpec, PieceType, type SentencePieceModel } from './sentencepiece-model.js';
import { SentencePieceModelError } from './sentencepiece-model-error.js';
import { UnigramModel } from './unigram-model.js';

/** One piece of an encoding: its text ("▁" for spaces) and id. */
export interface EncodedPiece {
  readonly piece: string;
  readonly id: number;
}

export interface SentencePieceProcessorOptions {
  /** Overrides normalizer_spec.add_dummy_prefix (SiglipTokenizer sets it to false when it loads the model). */
  addDummyPrefix?: boolean;
}

const SPACE_SYMBOL = '\u2581';

/**
 * sentencepiece's SentencePieceProcessor for unigram models (byte fallback off): Encode normalizes, segments
 * and merges each run of unknown pieces into one <unk> piece (PopulateSentencePieceText); Decode renders
 * pieces back to text. Text is encoded to UTF-8 as TextEncoder does, so a lone surrogate becomes U+FFFD
 * (Python's sentencepiece refuses such strings with a UnicodeEncodeError).
 */
export class SentencePieceProcessor {
  readonly unkId: number;
  private readonly normalizerSpec: NormalizerSpec;
  private readonly normalizer: Normalizer;
  private readonly unigram: UnigramModel;
  /** pieces_ (normal, user-defined, unused) and reserved_id_map_ (control, unknown) of ModelInterface. */
  private readonly pieceIds = new Map<string, number>();
  private readonly reservedIds = new Map<string, number>();
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  constructor(
    readonly model: SentencePieceModel,
    options: SentencePieceProcessorOptions = {},
  ) {
    const userDefined = new ByteTrie();
    model.pieces.forEach(({ piece, type }, id) => {
      const normal = type === PieceType.NORMAL || type === PieceType.USER_DEFINED || type === PieceType.UNUSED;
      (normal ? this.pieceIds : this.reservedIds).set(piece, id);
      if (type === PieceType.USER_DEFINED) userDefined.insert(this.encoder.encode(piece), id);
    });
    this.unigram = new UnigramModel(model);
    this.unkId = this.unigram.unkId;
    this.normalizerSpec = { ...model.normalizerSpec, addDummyPrefix: options.addDummyPrefix ?? model.normalizerSpec.addDummyPrefix };
    const hasUserDefined = model.pieces.some((p) => p.type === PieceType.USER_DEFINED);
    this.normalizer = new Normalizer(this.normalizerSpec, model.trainerSpec.treatWhitespaceAsSuffix, hasUserDefined ? userDefined : undefined, model.source);
  }

  /** Number of pieces (GetPieceSize). */
  get vocabSize(): number {
    return this.model.pieces.length;
  }

  /** sp.encode(text, out_type=str) and its ids. */
  encode(text: string): EncodedPiece[] {
    const normalized = this.normalizer.normalize(this.encoder.encode(text));
    const { ids, ends } = this.unigram.encode(normalized);
    const pieces: EncodedPiece[] = [];
    for (let i = 0; i < ids.length; i++) {
      const start = i === 0 ? 0 : ends[i - 1];
      // Merges each run of unknown pieces into one (PopulateSentencePieceText).
      if (ids[i] === this.unkId) {
        let end = i;
        while (end + 1 < ids.length && ids[end + 1] === this.unkId) end++;
        pieces.push({ piece: this.decoder.decode(normalized.subarray(start, ends[end])), id: this.unkId });
        i = end;
      } else pieces.push({ piece: this.model.pieces[ids[i]].piece, id: ids[i] });
    }
    return pieces;
  }

  /** PieceToId: reserved pieces first, then the others, else the unknown id. */
  pieceToId(piece: string): number {
    return this.reservedIds.get(piece) ?? this.pieceIds.get(piece) ?? this.unkId;
  }

  /** IdToPiece. */
  idToPiece(id: number): string {
    const piece = Number.isInteger(id) ? this.model.pieces[id] : undefined;
    if (piece === undefined) throw new SentencePieceModelError(this.model.source, `id ${id} is not a piece id (0..${this.vocabSize - 1})`);
    return piece.piece;
  }

  /**
   * sp.decode(pieces) (SentencePieceProcessor::Decode): control pieces vanish, the <unk> piece becomes
   * trainer_spec.unk_surface (" ⁇ ") while other unknown text stays as it is, "▁" becomes a space. The "▁"
   * starting the text is dropped: with remove_extra_whitespaces from every piece until some text is written,
   * else (with add_dummy_prefix) only the first one.
   */
  decodePieces(pieces: readonly string[]): string {
    const { addDummyPrefix, removeExtraWhitespaces } = this.normalizerSpec;
    let text = '';
    // Whether a leading "▁" may still be dropped, and whether the last piece had one dropped.
    let atStart = true;
    let startSpaceDropped = false;
    for (const piece of pieces) {
      if (startSpaceDropped || text !== '') atStart = false;
      startSpaceDropped = false;
      const id = this.pieceToId(piece);
      const { type, piece: vocabPiece } = this.model.pieces[id];
      if (type === PieceType.CONTROL) continue;
      if (type === PieceType.UNKNOWN) {
        text += piece === vocabPiece ? this.model.trainerSpec.unkSurface : piece;
        continue;
      }
      const dropped = atStart && (addDummyPrefix || removeExtraWhitespaces) && piece.startsWith(SPACE_SYMBOL);
      text += (dropped ? piece.slice(1) : piece).replaceAll(SPACE_SYMBOL, ' ');
      // With remove_extra_whitespaces every leading "▁" goes, so dropping one does not end the start.
      startSpaceDropped = dropped && !removeExtraWhitespaces;
    }
    return text;
  }
}
