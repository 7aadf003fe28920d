"""A tiny random-weight GGUF instruct model in the shape of the catalogue's default writer
(Qwen2.5-1.5B-Instruct GGUF), written with the `gguf` package, that llama.cpp loads and runs.

- Architecture `qwen2`: 2 blocks, 64 wide, 4 query heads sharing 2 key/value heads (GQA), SwiGLU
  feed-forward, RMSNorm, RoPE (base 1e6) and biases on Q/K/V, as in Qwen2.5 (llama.cpp:
  src/models/qwen2.cpp). The output projection is its own tensor (Qwen2.5-1.5B ties it to the
  embeddings, which llama.cpp also reads): tied random weights make every token predict itself, so
  the model would only repeat the prompt's last token.
- Tokenizer in the GGUF metadata as Qwen's are: byte-level BPE (`gpt2` model, `qwen2`
  pre-tokenizer) over GPT-2's 256 byte symbols, a few merges, and the specials `<|endoftext|>`,
  `<|im_start|>`, `<|im_end|>` (end of turn = EOS); a ChatML chat template, which
  llama-cpp-python reads from `tokenizer.chat_template`.

Weights are float32 from numpy's seeded generator, so a seed gives the same text every run. An
output bias keeps the random model to printable ASCII (and newlines): random bytes from 0x80 up
are mostly invalid UTF-8, which llama-cpp-python holds back while streaming until it decodes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .text import _byte_symbols

CHATML = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
#: a few merges so the BPE has something to merge (Ġ is GPT-2's symbol for a leading space)
MERGES = ("Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "o n", "Ġ s", "r e", "a t")
SPECIALS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")


def tiny_vocab() -> tuple[list[str], list[int]]:
    """(tokens, token types): byte symbols, merged pieces, then the specials."""
    import gguf

    tokens = _byte_symbols()
    for m in MERGES:
        piece = m.replace(" ", "")
        if piece not in tokens:
            tokens.append(piece)
    types = [int(gguf.TokenType.NORMAL)] * len(tokens)
    tokens += list(SPECIALS)
    types += [int(gguf.TokenType.CONTROL)] * len(SPECIALS)
    return tokens, types


def write_tiny_gguf(path: str | Path, seed: int = 0, n_embd: int = 64, n_layer: int = 2,
                    n_head: int = 4, n_head_kv: int = 2, n_ff: int = 128, n_ctx: int = 4096,
                    ascii_only: bool = True) -> Path:
    """Write the tiny model to `path` and return it (`ascii_only=False`: no output bias, so it
    also emits raw high bytes)."""
    import gguf

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tokens, types = tiny_vocab()
    n_vocab = len(tokens)
    head_dim = n_embd // n_head
    rng = np.random.default_rng(seed)

    def w(*shape: int, scale: float = 0.08) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    writer = gguf.GGUFWriter(str(path), "qwen2")
    writer.add_name("tiny-random-qwen2-instruct")
    writer.add_context_length(n_ctx)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head_kv)
    writer.add_rope_freq_base(1_000_000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_file_type(int(gguf.LlamaFileType.ALL_F32))
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(list(MERGES))
    writer.add_bos_token_id(tokens.index("<|endoftext|>"))
    writer.add_eos_token_id(tokens.index("<|im_end|>"))
    writer.add_pad_token_id(tokens.index("<|endoftext|>"))
    writer.add_add_bos_token(False)
    writer.add_chat_template(CHATML)
    # numpy shape (rows, cols) is GGUF/ggml's {cols, rows}: a weight is (out, in)
    writer.add_tensor("token_embd.weight", w(n_vocab, n_embd, scale=0.5))
    writer.add_tensor("output_norm.weight", np.ones(n_embd, np.float32))
    writer.add_tensor("output.weight", w(n_vocab, n_embd, scale=0.5))
    bias = np.zeros(n_vocab, np.float32)
    byte_of = {sym: b for b, sym in enumerate(_byte_symbols())}
    for i, tok in enumerate(tokens):
        b = byte_of.get(tok)
        if ascii_only and b is not None and not (32 <= b < 127 or b == 10):
            bias[i] = -30.0
    writer.add_tensor("output.bias", bias)
    kv = n_head_kv * head_dim
    for i in range(n_layer):
        b = f"blk.{i}."
        writer.add_tensor(b + "attn_norm.weight", np.ones(n_embd, np.float32))
        writer.add_tensor(b + "attn_q.weight", w(n_embd, n_embd))
        writer.add_tensor(b + "attn_q.bias", w(n_embd))
        writer.add_tensor(b + "attn_k.weight", w(kv, n_embd))
        writer.add_tensor(b + "attn_k.bias", w(kv))
        writer.add_tensor(b + "attn_v.weight", w(kv, n_embd))
        writer.add_tensor(b + "attn_v.bias", w(kv))
        writer.add_tensor(b + "attn_output.weight", w(n_embd, n_embd))
        writer.add_tensor(b + "ffn_norm.weight", np.ones(n_embd, np.float32))
        writer.add_tensor(b + "ffn_gate.weight", w(n_ff, n_embd))
        writer.add_tensor(b + "ffn_up.weight", w(n_ff, n_embd))
        writer.add_tensor(b + "ffn_down.weight", w(n_embd, n_ff))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
