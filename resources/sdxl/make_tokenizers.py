"""Rebuild the CLIP BPE tokenizer files of resources/sdxl/tokenizer and tokenizer_2.

The SDXL tokenizers are OpenAI's CLIP BPE (49,408 tokens). The merges ship in the MIT-licensed
PyPI package open_clip_torch as `open_clip/bpe_simple_vocab_16e6.txt.gz`; this derives vocab.json
and merges.txt from it exactly as CLIP's SimpleTokenizer / HF's CLIPTokenizer do:
  vocab = 256 byte chars + the same with '</w>' + one token per merge + the two specials.

    pip download --no-deps open_clip_torch -d /tmp/oc && cd /tmp/oc && unzip -o *.whl
    python resources/sdxl/make_tokenizers.py /tmp/oc/open_clip/bpe_simple_vocab_16e6.txt.gz
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
N_MERGES = 49152 - 256 - 2  # CLIP keeps this many merges of the 16e6 list


def bytes_to_unicode() -> dict[int, str]:
    """CLIP's printable stand-in character for each byte (same table as GPT-2)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs), strict=True))


def build(bpe_gz: Path) -> None:
    lines = gzip.open(bpe_gz).read().decode("utf-8").split("\n")
    merges = [tuple(m.split()) for m in lines[1 : N_MERGES + 1]]
    vocab = list(bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    vocab += ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    ids = {tok: i for i, tok in enumerate(vocab)}
    merges_txt = "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges)

    def special(content: str) -> dict:
        return {"content": content, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}

    for folder, pad in (("tokenizer", "<|endoftext|>"), ("tokenizer_2", "!")):
        out = HERE / folder
        out.mkdir(exist_ok=True)
        (out / "vocab.json").write_text(json.dumps(ids, ensure_ascii=False), "utf-8")
        (out / "merges.txt").write_text(merges_txt, "utf-8")
        (out / "special_tokens_map.json").write_text(json.dumps({
            "bos_token": special("<|startoftext|>"),
            "eos_token": special("<|endoftext|>"),
            "pad_token": pad if pad == "!" else special(pad),
            "unk_token": special("<|endoftext|>"),
        }, indent=2), "utf-8")
        (out / "tokenizer_config.json").write_text(json.dumps({
            "add_prefix_space": False,
            "bos_token": "<|startoftext|>",
            "clean_up_tokenization_spaces": True,
            "do_lower_case": True,
            "eos_token": "<|endoftext|>",
            "errors": "replace",
            "model_max_length": 77,
            "pad_token": pad,
            "tokenizer_class": "CLIPTokenizer",
            "unk_token": "<|endoftext|>",
        }, indent=2), "utf-8")


if __name__ == "__main__":
    build(Path(sys.argv[1]))
