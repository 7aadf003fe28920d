"""The newer diffusers models (diffusion transformers): FLUX.2 [klein], Z-Image, Wan 2.2.

`loaded.py` loads, places (offload, tiling) and caches them; `calls.py` runs them with progress
and cancel. The model-specific code lives in pipelines/flux2, pipelines/zimage and
pipelines/motion/wan.py. Everything imports torch/diffusers inside functions.
"""
