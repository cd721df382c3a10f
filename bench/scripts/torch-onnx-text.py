"""A torch.onnx export of a ViT-B/32-sized CLIP text tower, for `npm run bench -- text-tower` (issue 15, item 3).

OpenAI's clip/model.py text tower (nn.MultiheadAttention under the causal mask, QuickGELU, argmax pooling),
random weights (seed 0), exported as the fixtures' onnx/text.onnx was: torch.onnx, opset 14, constant
folding, dynamic batch. The same weights are written as a clipkit model folder (model.safetensors with
OpenAI's names + open_clip_config.json), so clipkit's export of them runs on identical weights.

    /usr/bin/python3 bench/scripts/torch-onnx-text.py OUT_DIR     # Debian's python3-torch 1.13
writes OUT_DIR/text.onnx (torch.onnx) and OUT_DIR/model/ (a model clipkit reads).
"""
import json
import os
import struct
import sys

import torch
from torch import nn

WIDTH, HEADS, LAYERS, CONTEXT, VOCAB, EMBED = 512, 8, 12, 77, 49408, 512


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):  # clip/model.py
    def __init__(self, mask):
        super().__init__()
        self.attn = nn.MultiheadAttention(WIDTH, HEADS)
        self.ln_1 = nn.LayerNorm(WIDTH)
        self.mlp = nn.Sequential()
        self.mlp.add_module("c_fc", nn.Linear(WIDTH, WIDTH * 4))
        self.mlp.add_module("gelu", QuickGELU())
        self.mlp.add_module("c_proj", nn.Linear(WIDTH * 4, WIDTH))
        self.ln_2 = nn.LayerNorm(WIDTH)
        self.mask = mask

    def forward(self, x):  # [T, B, D]
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False, attn_mask=self.mask)[0]
        return x + self.mlp(self.ln_2(x))


class TextTower(nn.Module):
    def __init__(self):
        super().__init__()
        mask = torch.full((CONTEXT, CONTEXT), float("-inf")).triu_(1)
        self.token_embedding = nn.Embedding(VOCAB, WIDTH)
        self.positional_embedding = nn.Parameter(torch.randn(CONTEXT, WIDTH) * 0.01)
        self.transformer = nn.Module()
        self.transformer.resblocks = nn.Sequential(*[ResidualAttentionBlock(mask) for _ in range(LAYERS)])
        self.ln_final = nn.LayerNorm(WIDTH)
        self.text_projection = nn.Parameter(torch.randn(WIDTH, EMBED) * WIDTH ** -0.5)

    def forward(self, input_ids):  # encode_text
        x = self.token_embedding(input_ids) + self.positional_embedding
        x = self.transformer.resblocks(x.permute(1, 0, 2)).permute(1, 0, 2)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), input_ids.argmax(dim=-1)] @ self.text_projection


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        data = t.detach().contiguous().float().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def main(out):
    torch.manual_seed(0)
    tower = TextTower().eval()
    os.makedirs(os.path.join(out, "model"), exist_ok=True)
    ids = torch.zeros(2, CONTEXT, dtype=torch.int64)
    ids[:, 0], ids[:, 1:11], ids[:, 11] = VOCAB - 2, 1000, VOCAB - 1
    torch.onnx.export(tower, (ids,), os.path.join(out, "text.onnx"), opset_version=14, do_constant_folding=True,
                      input_names=["input_ids"], output_names=["text_embeds"],
                      dynamic_axes={"input_ids": {0: "batch"}, "text_embeds": {0: "batch"}})
    # clipkit reads the text tower by OpenAI's names; its image tower is a small ViT with random weights here.
    state = {k: v for k, v in tower.state_dict().items() if not k.endswith("mask")}
    torch.manual_seed(1)
    vit = {"visual.class_embedding": torch.randn(64), "visual.positional_embedding": torch.randn(5, 64),
           "visual.conv1.weight": torch.randn(64, 3, 16, 16) * 0.02, "visual.ln_pre.weight": torch.ones(64),
           "visual.ln_pre.bias": torch.zeros(64), "visual.ln_post.weight": torch.ones(64),
           "visual.ln_post.bias": torch.zeros(64), "visual.proj": torch.randn(64, EMBED) * 0.1,
           "logit_scale": torch.tensor(4.6052)}
    for name, shape in [("attn.in_proj_weight", (192, 64)), ("attn.in_proj_bias", (192,)), ("attn.out_proj.weight", (64, 64)),
                        ("attn.out_proj.bias", (64,)), ("ln_1.weight", (64,)), ("ln_1.bias", (64,)), ("ln_2.weight", (64,)),
                        ("ln_2.bias", (64,)), ("mlp.c_fc.weight", (256, 64)), ("mlp.c_fc.bias", (256,)),
                        ("mlp.c_proj.weight", (64, 256)), ("mlp.c_proj.bias", (64,))]:
        vit[f"visual.transformer.resblocks.0.{name}"] = torch.randn(*shape) * 0.02
    write_safetensors(os.path.join(out, "model", "model.safetensors"), {**vit, **state})
    config = {"embed_dim": EMBED, "quick_gelu": True,
              "vision_cfg": {"image_size": 32, "layers": 1, "width": 64, "patch_size": 16, "head_width": 64},
              "text_cfg": {"context_length": CONTEXT, "vocab_size": VOCAB, "width": WIDTH, "heads": HEADS, "layers": LAYERS}}
    with open(os.path.join(out, "model", "open_clip_config.json"), "w") as f:
        json.dump({"model_cfg": config, "preprocess_cfg": {}}, f)
    with torch.no_grad():
        print(f"wrote {out}/text.onnx and {out}/model; text_embeds[0, :4] = {tower(ids)[0, :4].tolist()}")


if __name__ == "__main__":
    main(sys.argv[1])
