"""Tiny tokenizers and text encoders for the newer diffusers pipelines, built in code (no download).

- Qwen (FLUX.2 klein, Z-Image): a byte-level BPE over the 256 byte symbols with no merges (every
  word is spelled in bytes), the Qwen specials `<|endoftext|>`, `<|im_start|>`, `<|im_end|>` and a
  chat template in Qwen3's shape (user turn, assistant prompt, the empty think block when
  `enable_thinking=False`), since both pipelines call `apply_chat_template`.
- T5 / UMT5 (Wan): a Unigram vocabulary of `<pad>`, `</s>`, `<unk>`, the word marker `▁` and the
  printable ASCII characters, with `</s>` appended like T5's own tokenizer.

The encoders are 2-layer, 16-wide random models (torch.manual_seed(0)), the same classes the real
checkpoints use.
"""

from __future__ import annotations

import string

#: the chat template shape of Qwen3's tokenizer_config.json (what the pipelines render)
QWEN_CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n"
    "{% if enable_thinking is defined and enable_thinking is false %}<think>\n\n</think>\n\n{% endif %}"
    "{% endif %}"
)
QWEN_SPECIALS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")


def _byte_symbols() -> list[str]:
    """GPT-2's byte-to-unicode table: the 256 symbols a byte-level BPE spells text in."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]


def qwen_tokenizer():  # noqa: ANN201 - transformers.Qwen2Tokenizer
    """A Qwen2 tokenizer with 259 tokens (256 bytes + 3 specials) and a Qwen3-style chat template."""
    from transformers import Qwen2Tokenizer

    vocab = {s: i for i, s in enumerate(_byte_symbols())}
    for tok in QWEN_SPECIALS:
        vocab[tok] = len(vocab)
    tok = Qwen2Tokenizer(vocab=vocab, merges=[], unk_token=None, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    from tokenizers import AddedToken

    tok.add_tokens([AddedToken(t, special=True, normalized=False) for t in QWEN_SPECIALS])  # one id each
    tok.chat_template = QWEN_CHAT_TEMPLATE
    return tok


QWEN_VOCAB = 256 + len(QWEN_SPECIALS)


def qwen3_config(vocab_size: int = QWEN_VOCAB, layers: int = 2):  # noqa: ANN201
    from transformers import Qwen3Config

    return Qwen3Config(hidden_size=16, intermediate_size=16, num_hidden_layers=layers, num_attention_heads=2,
                       num_key_value_heads=2, head_dim=8, vocab_size=vocab_size, max_position_embeddings=1024)


def t5_tokenizer():  # noqa: ANN201 - transformers.T5Tokenizer
    """A T5 Unigram tokenizer over printable ASCII (ids: <pad>=0, </s>=1, <unk>=2)."""
    from transformers import T5Tokenizer

    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    pieces += [(c, -5.0) for c in string.ascii_letters + string.digits + string.punctuation]
    return T5Tokenizer(vocab=pieces, extra_ids=0)


T5_VOCAB = 4 + len(string.ascii_letters + string.digits + string.punctuation)


def umt5_encoder(d_model: int = 32):  # noqa: ANN201 - transformers.UMT5EncoderModel
    import torch
    from transformers import UMT5Config, UMT5EncoderModel

    torch.manual_seed(0)
    cfg = UMT5Config(vocab_size=T5_VOCAB, d_model=d_model, d_kv=8, d_ff=32, num_layers=2, num_heads=2,
                     relative_attention_num_buckets=8, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)
    return UMT5EncoderModel(cfg)
