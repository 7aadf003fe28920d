"""SDXL stills: checkpoints, device choice, a shared pipeline cache, txt2img/img2img/inpaint.

Everything here imports torch/diffusers inside functions, so importing the package is cheap.
"""
