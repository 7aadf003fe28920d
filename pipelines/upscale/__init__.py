"""Sharper footage: Real-ESRGAN x4plus (through spandrel, or our RRDBNet loader) with tiled
inference, and a classical fallback (Lanczos + contrast-adaptive sharpening) that needs no weights."""

from .classical import CLASSICAL_ENGINE, classical_filter, upscale_classical
from .esrgan import ESRGAN_ENGINE, RRDBNet, Upscaler, UpscaleRequest, load_esrgan

__all__ = ["CLASSICAL_ENGINE", "ESRGAN_ENGINE", "RRDBNet", "UpscaleRequest", "Upscaler", "classical_filter",
           "load_esrgan", "upscale_classical"]
