"""Cosine similarity of each embedding in one `clipkit embed --out` file to the same row of another.

Issue 15's accuracy check of an int8 or float16 export against float32 on real inputs:

    npx clipkit export-onnx --model RUN/checkpoint --out f32
    npx clipkit export-onnx --model RUN/checkpoint --out int8 --quantize int8
    npx clipkit embed --model f32 --images IMAGES --texts PROMPTS --out f32.safetensors   # and int8
    python3 bench/scripts/embedding-cosines.py f32.safetensors int8.safetensors

prints min and mean cosine for image_embeds and text_embeds. numpy only (Debian's python3-numpy).
"""
import json
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit(f"{path}: {name} is {info['dtype']}; expected F32 (clipkit embed writes F32)")
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(info["shape"])
    return tensors


def main(reference_path, other_path):
    reference, other = read_safetensors(reference_path), read_safetensors(other_path)
    for name in ("image_embeds", "text_embeds"):
        if name not in reference or name not in other:
            continue
        a, b = reference[name].astype(np.float64), other[name].astype(np.float64)
        if a.shape != b.shape:
            raise SystemExit(f"{name}: shapes {list(a.shape)} and {list(b.shape)} differ; embed the same inputs")
        cos = (a * b).sum(1) / np.sqrt((a * a).sum(1) * (b * b).sum(1))
        print(f"{name}: {len(cos)} rows, cosine min {cos.min():.5f} mean {cos.mean():.5f}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: embedding-cosines.py REFERENCE.safetensors OTHER.safetensors")
    main(sys.argv[1], sys.argv[2])
