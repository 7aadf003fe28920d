"""Catalogue entries: small instruct language models (GGUF) for the writing assistant.

They run locally through llama-cpp-python (extra `writing`). Only permissively licensed models are
listed: Qwen2.5-1.5B-Instruct and SmolLM2-1.7B-Instruct are Apache-2.0 (note that Qwen2.5-3B-Instruct
is *not*: it carries the non-commercial Qwen Research licence, so it is left out). Files are the
publishers' own Q4_K_M quantisations; the hash is recorded on first download (trust on first use).
"""

from __future__ import annotations

from ..model_entry import ModelEntry, ModelSource

ENTRIES: tuple[ModelEntry, ...] = (
    ModelEntry(
        id="qwen2.5-1.5b-instruct-gguf",
        name="Qwen2.5 1.5B Instruct (GGUF Q4_K_M)",
        kind="llm",
        filename="qwen2.5-1.5b-instruct-q4_k_m.gguf",
        source=ModelSource(type="hf", repo="Qwen/Qwen2.5-1.5B-Instruct-GGUF",
                           files=("qwen2.5-1.5b-instruct-q4_k_m.gguf",)),
        size=1_117_320_736,
        licence="Apache-2.0",
        commercial_use=True,
        notes="Default writing model: 32k context, chat template in the file; ~1.5 GB RAM on CPU.",
    ),
    ModelEntry(
        id="smollm2-1.7b-instruct-gguf",
        name="SmolLM2 1.7B Instruct (GGUF Q4_K_M)",
        kind="llm",
        filename="smollm2-1.7b-instruct-q4_k_m.gguf",
        source=ModelSource(type="hf", repo="HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF",
                           files=("smollm2-1.7b-instruct-q4_k_m.gguf",)),
        size=1_060_000_000,
        licence="Apache-2.0",
        commercial_use=True,
        notes="English-centred alternative; 8k context.",
    ),
)
