"""
Generates src/tokenizer/testdata/cleaning-cases.jsonl: random texts built to stress the cleaning (mojibake in
every single-byte encoding ftfy knows, entities, control characters, line breaks, combining marks, letters
newer than Unicode 14.0), with what the reference pipeline makes of them:

  fixed    ftfy.fix_text(text)
  cleaned  simple_tokenizer's whitespace_clean(basic_clean(text)).lower()
  words    simple_tokenizer's splitting regex on `cleaned`

Run with Python 3.11 and ftfy 6.3.1 + regex installed (see generate-tokenizer-tables.py):
  /tmp/ftfy-venv/bin/python scripts/generate-cleaning-cases.py
"""

import html
import json
import random
from pathlib import Path

import ftfy
import regex

assert ftfy.__version__ == "6.3.1"

SPLIT = regex.compile(r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""", regex.IGNORECASE)
WORDS = ["café", "naïve", "résumé", "Zoë", "crème brûlée", "à la carte", "voilà", "São Paulo", "Ærøskøbing", "Grüße", "日本語",
         "Привет", "Ελληνικά", "😀", "👍🏽", "€100", "½", "¿Qué?", "“quoted”", "it’s", "—", "…", "İstanbul", "ΟΔΟΣ", "ﬁne", "ＡＢＣ",
         "ｶﾀｶﾅ", "a photo of a cat", "AT&T", "&amp;", "&lt;3", "&#39;", "&copy", "&notit;", "&EACUTE;", "&#x1F600;", "&#128;",
         "&nbsp;", "<b>", "rock'n'roll", "I'M", "'ſ", "aͅb", "e\u0301", "\ua7cb", "A\u03a3\u1acfb", "\u0300\u1ae9\u0354"]
PIECES = ["\u00a0", "\t", "\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u3000", "\u200b", "\ufeff", "\x00",
          "\x1b[31m", "\x92", "\x93", "\x80", "\x81", "\ufffd", "?", " ", "  ", "<", ">", "&", ";", "#", "'", "\u02bc"]
ENCODINGS = ["latin-1", "sloppy-windows-1252", "sloppy-windows-1251", "sloppy-windows-1250", "sloppy-windows-1253",
             "sloppy-windows-1254", "sloppy-windows-1257", "iso-8859-2", "macroman", "cp437", "windows-1252"]
RANGES = [(0x20, 0x7e), (0x80, 0x2ff), (0x300, 0x36f), (0x370, 0x52f), (0x1ab0, 0x1aff), (0x2000, 0x2bff), (0xff00, 0xffef),
          (0x1f300, 0x1faff), (0x10d40, 0x10d8f), (0x16d40, 0x16d7f), (0x11380, 0x113ff)]


def mojibake(rng: random.Random, text: str) -> str:
    out = text.encode("utf-8").decode(rng.choice(ENCODINGS), errors="replace")
    roll = rng.random()
    if roll < 0.15:
        out = out.replace("\xa0", " ")
    elif roll < 0.25:
        out = out.replace("\u20ac", "\ufffd", 1)
    return out


def random_text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 6)):
        roll = rng.random()
        if roll < 0.3:
            parts.append(rng.choice(WORDS))
        elif roll < 0.6:
            parts.append(mojibake(rng, rng.choice(WORDS)))
        elif roll < 0.8:
            parts.append(rng.choice(PIECES))
        else:
            parts.append("".join(chr(rng.randint(*rng.choice(RANGES))) for _ in range(rng.randint(1, 4))))
        parts.append(" " if rng.random() < 0.6 else "")
    return "".join(parts)


def clean(text: str) -> str:
    text = html.unescape(html.unescape(ftfy.fix_text(text))).strip()
    return regex.sub(r"\s+", " ", text).strip().lower()


rng = random.Random(20240611)
lines = []
for _ in range(300):
    text = random_text(rng)
    cleaned = clean(text)
    lines.append(json.dumps({"text": text, "fixed": ftfy.fix_text(text), "cleaned": cleaned, "words": SPLIT.findall(cleaned)}))
out = Path(__file__).resolve().parent.parent / "src" / "tokenizer" / "testdata" / "cleaning-cases.jsonl"
out.parent.mkdir(exist_ok=True)
out.write_text("\n".join(lines) + "\n")
print(f"wrote {len(lines)} cases to {out}")
