"""
Generates src/testdata/ from the real sentencepiece (Debian python3-sentencepiece 0.1.97, the library the
fixtures' spiece.model was trained and run with) and Python 3.11's str.lower():

  sentencepiece-cases.jsonl  random stress texts encoded by sentencepiece: `model`, `add_dummy_prefix`,
                             `text`, `pieces` = encode(text, out_type=str), `ids` = encode(text),
                             `decoded` = decode(ids), `decoded_pieces` = decode(pieces)
      model "spiece":  the SigLIP fixture's spiece.model as stored (add_dummy_prefix on) and with
                       add_dummy_prefix off (as SiglipTokenizer loads it)
      model "rules":   rules.model, trained here: a custom normalization_rule_tsv (a small charsmap of its
                       own), user-defined symbols (one of them changed by the rules), a control symbol,
                       remove_extra_whitespaces off
      model "suffix":  suffix.model, trained here: identity normalization, treat_whitespace_as_suffix
 vocab.json                 each model's pieces as the library reports them: [piece, score, type] with type
                             2 unknown, 3 control, 5 unused, 6 byte, 4 user-defined (by the training option), else 1
  python-text.json           `lower`: every code point whose str.lower() is not itself, {code point: lower};
                             `isspace`: every code point for which str.isspace() holds

Run with the system Python, which has sentencepiece (the pyenv one does not):
  /usr/bin/python3 scripts/generate-sentencepiece-cases.py [path of the shared fixtures]
"""

import io
import json
import random
import sys
from pathlib import Path

import sentencepiece as spm

assert spm.__version__ == "0.1.97", spm.__version__
assert sys.version_info[:2] == (3, 11)

SHARED = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared")
OUT = Path(__file__).resolve().parent.parent / "src" / "testdata"
SPIECE = (SHARED / "fixtures/tokenizer-siglip/spiece.model").read_bytes()

RANGES = [(0x20, 0x7E), (0x00, 0x1F), (0x7F, 0x9F), (0xA0, 0x2FF), (0x300, 0x36F), (0x370, 0x52F), (0x1100, 0x11FF),
          (0x2000, 0x206F), (0x2070, 0x218F), (0x2460, 0x24FF), (0x3000, 0x30FF), (0x3130, 0x318F), (0xAC00, 0xAC40),
          (0xFB00, 0xFB4F), (0xFE10, 0xFE6F), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF), (0x1F300, 0x1FAFF), (0xE000, 0xE010),
          (0xFFF0, 0xFFFD), (0x10FFF0, 0x10FFFF)]
SNIPPETS = ["\x00", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u1680", "\u2000", "\u200b", "\u2028",
            "\u3000", "\ufeff", "\u180e", "\u2581", " ", "  ", "   ", "\ufb01", "\u00bd", "\u2122", "\u210c", "\U0001d522",
            "\uff21", "\uff76\uff9e", "\uac00", "\u1100\u1161", "e\u0301", "\u03a3", "\u0130", "\u65e5\u672c\u8a9e",
            "\U0001f431", "\U0001f44d\U0001f3fd", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "<unk>", "</s>", "<pad>",
            "<sep>", "<ctrl>", "\ufb01x", "ab", "\ufffd", "a photo of a cat", "Hello, World!", "caf\u00e9", "na\u00efve"]
WORDS = ["a", "photo", "of", "the", "cat", "dog", "playing", "in", "snow", "red", "kite", "sky", "ab", "fix", "hello"]


def random_text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 8)):
        roll = rng.random()
        if roll < 0.3:
            parts.append(rng.choice(SNIPPETS))
        elif roll < 0.55:
            parts.append(rng.choice(WORDS) + rng.choice([" ", "", "  "]))
        else:
            low, high = rng.choice(RANGES)
            parts.append("".join(chr(rng.randint(low, high)) for _ in range(rng.randint(1, 4))))
    return "".join(parts)


def without_dummy_prefix(model: bytes) -> bytes:
    """The model with normalizer_spec.add_dummy_prefix = false (an explicit varint 1 turned into 0)."""
    def varint(at):
        value, shift = 0, 0
        while True:
            byte = model[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value, at

    at = 0
    while at < len(model):
        tag, body = varint(at)
        length, start = varint(body) if tag & 7 == 2 else (0, body)
        if tag == (3 << 3 | 2):  # normalizer_spec
            inner = start
            while inner < start + length:
                field, value_at = varint(inner)
                if field == (3 << 3):  # add_dummy_prefix
                    assert model[value_at] == 1
                    return model[:value_at] + b"\x00" + model[value_at + 1:]
                inner = sum(varint(value_at)) if field & 7 == 2 else varint(value_at)[1]
        at = start + length
    raise ValueError("add_dummy_prefix is not stored explicitly")


def train(**options) -> bytes:
    rng = random.Random(7)
    corpus = [" ".join(rng.choice(WORDS + ["\ufb01x", "<sep>", "New York", "\uff21BC"]) for _ in range(rng.randint(2, 9))) for _ in range(400)]
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(corpus), model_writer=out, model_type="unigram", num_threads=1,
                                   character_coverage=1.0, hard_vocab_limit=False, **options)
    return out.getvalue()


def cases(name: str, model: bytes, count: int, seed: int, dummy_prefix: bool):
    sp = spm.SentencePieceProcessor(model_proto=model)
    rng = random.Random(seed)
    for _ in range(count):
        text = random_text(rng)
        pieces = sp.encode(text, out_type=str)
        ids = sp.encode(text)
        yield {"model": name, "add_dummy_prefix": dummy_prefix, "text": text, "pieces": pieces, "ids": ids,
               "decoded": sp.decode(ids), "decoded_pieces": sp.decode(pieces)}


def vocab(model: bytes, user_defined=()):
    sp = spm.SentencePieceProcessor(model_proto=model)

    def kind(i):
        if sp.is_unknown(i):
            return 2
        if sp.is_control(i):
            return 3
        if sp.is_unused(i):
            return 5
        if sp.is_byte(i):
            return 6
        return 4 if sp.id_to_piece(i) in user_defined else 1

    return [[sp.id_to_piece(i), sp.get_score(i), kind(i)] for i in range(sp.get_piece_size())]


def main() -> None:
    rules_tsv = OUT / "rules.tsv"
    rules_tsv.write_text("FB01\t66 69\nFF21\t41\nFF76 FF9E\t30AC\nFF76\t30AB\n9\t20\n200B\t\n3000\t20\n2122\t54 4D\n")
    user_defined = ["<sep>", "\ufb01x", "ab"]
    rules = train(vocab_size=60, normalization_rule_tsv=str(rules_tsv), user_defined_symbols=user_defined,
                  control_symbols=["<ctrl>"], remove_extra_whitespaces=False)
    rules_tsv.unlink()
    suffix = train(vocab_size=50, normalization_rule_name="identity", treat_whitespace_as_suffix=True)
    (OUT / "rules.model").write_bytes(rules)
    (OUT / "suffix.model").write_bytes(suffix)
    rows = [*cases("spiece", SPIECE, 400, 1, True), *cases("spiece", without_dummy_prefix(SPIECE), 400, 2, False),
            *cases("rules", rules, 150, 3, True), *cases("suffix", suffix, 150, 4, True)]
    with open(OUT / "sentencepiece-cases.jsonl", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    starts = [["\u2581", "\u2581a"], ["\u2581", "<ctrl>", "\u2581a"], ["<pad>", "\u2581a"], ["</s>", "\u2581", "\u2581a"], ["<unk>", "\u2581a"],
              ["\u2581\u2581a"], ["x", "\u2581a"], ["\u2581ab", "\u2581"], ["\u2581", "<sep>", "\u2581b"], []]
    decoded = {name: [[pieces, spm.SentencePieceProcessor(model_proto=model).decode(pieces)] for pieces in starts]
               for name, model in [("spiece", SPIECE), ("spiece-no-prefix", without_dummy_prefix(SPIECE)), ("rules", rules), ("suffix", suffix)]}
    (OUT / "decode-cases.json").write_text(json.dumps(decoded, ensure_ascii=False) + "\n")
    vocabs = {"spiece": vocab(SPIECE), "rules": vocab(rules, user_defined), "suffix": vocab(suffix)}
    (OUT / "vocab.json").write_text(json.dumps(vocabs, ensure_ascii=False) + "\n")
    lower = {cp: chr(cp).lower() for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF and chr(cp).lower() != chr(cp)}
    isspace = [cp for cp in range(0x110000) if chr(cp).isspace()]
    (OUT / "python-text.json").write_text(json.dumps({"lower": lower, "isspace": isspace}) + "\n")
    print(f"{len(rows)} cases, {len(lower)} lowercase mappings, rules.model {len(rules)} B, suffix.model {len(suffix)} B")


main()
