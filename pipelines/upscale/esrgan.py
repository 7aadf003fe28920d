"""Real-ESRGAN x4plus: an RRDBNet super-resolution model, run tile by tile.

Weights load through `spandrel` when it is installed (it recognises ESRGAN-family state dicts
by their keys and builds the right network); without it, through `RRDBNet` below, written for
the one layout Real-ESRGAN x4plus uses (BasicSR's key names: conv_first, body.N.rdbK.convJ,
conv_body, conv_up1/2, conv_hr, conv_last). Both take RGB in 0..1 and give RGB in 0..1 at
`scale` times the size.

Tiles (default 256 px, 16 px of context on each side) keep the memory flat for any image size;
each tile reports progress and checks for cancel. CUDA runs in fp16, CPU in fp32.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from studio.core.errors import BadInput
from studio.core.tasks import TaskContext, null_context

ESRGAN_ENGINE = "Real-ESRGAN x4plus"


def _torch() -> Any:
    import torch

    return torch


def _rrdb_modules(num_feat: int, num_grow_ch: int) -> Any:
    torch = _torch()
    nn = torch.nn

    class ResidualDenseBlock(nn.Module):
        """Five 3x3 convs, each seeing every earlier output; the result scaled by 0.2 and added back."""

        def __init__(self) -> None:
            super().__init__()
            f, g = num_feat, num_grow_ch
            self.conv1 = nn.Conv2d(f, g, 3, 1, 1)
            self.conv2 = nn.Conv2d(f + g, g, 3, 1, 1)
            self.conv3 = nn.Conv2d(f + 2 * g, g, 3, 1, 1)
            self.conv4 = nn.Conv2d(f + 3 * g, g, 3, 1, 1)
            self.conv5 = nn.Conv2d(f + 4 * g, f, 3, 1, 1)
            self.act = nn.LeakyReLU(0.2, inplace=True)

        def forward(self, x: Any) -> Any:
            x1 = self.act(self.conv1(x))
            x2 = self.act(self.conv2(torch.cat((x, x1), 1)))
            x3 = self.act(self.conv3(torch.cat((x, x1, x2), 1)))
            x4 = self.act(self.conv4(torch.cat((x, x1, x2, x3), 1)))
            x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
            return x5 * 0.2 + x

    class RRDB(nn.Module):
        """Three dense blocks in a row, residual-scaled by 0.2."""

        def __init__(self) -> None:
            super().__init__()
            self.rdb1, self.rdb2, self.rdb3 = ResidualDenseBlock(), ResidualDenseBlock(), ResidualDenseBlock()

        def forward(self, x: Any) -> Any:
            return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x

    return RRDB


def RRDBNet(num_in_ch: int = 3, num_out_ch: int = 3, scale: int = 4, num_feat: int = 64,  # noqa: N802
            num_block: int = 23, num_grow_ch: int = 32) -> Any:
    """The Real-ESRGAN generator (x4plus: 64 features, 23 RRDB blocks, growth 32, scale 4).

    A function returning an `nn.Module` so that importing this file does not import torch."""
    torch = _torch()
    nn, F = torch.nn, torch.nn.functional
    RRDB = _rrdb_modules(num_feat, num_grow_ch)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.scale = scale
            # x2 and x1 models fold the input's pixels into channels first (pixel unshuffle)
            self.unshuffle = {4: 1, 2: 2, 1: 4}[scale]
            self.conv_first = nn.Conv2d(num_in_ch * self.unshuffle**2, num_feat, 3, 1, 1)
            self.body = nn.Sequential(*[RRDB() for _ in range(num_block)])
            self.conv_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
            self.conv_up1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
            self.conv_up2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
            self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
            self.conv_last = nn.Conv2d(num_feat, num_out_ch, 3, 1, 1)
            self.act = nn.LeakyReLU(0.2, inplace=True)

        def forward(self, x: Any) -> Any:
            if self.unshuffle > 1:
                x = F.pixel_unshuffle(x, self.unshuffle)
            feat = self.conv_first(x)
            feat = feat + self.conv_body(self.body(feat))
            feat = self.act(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")))
            feat = self.act(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")))
            return self.conv_last(self.act(self.conv_hr(feat)))

    return Net()


def _state_dict(path: Path) -> dict[str, Any]:
    torch = _torch()
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        state = load_file(str(path))
    else:  # tensors only: a .pth that needs code to unpickle is refused
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    for key in ("params_ema", "params", "state_dict"):  # BasicSR saves the EMA weights under params_ema
        if isinstance(state, dict) and key in state and isinstance(state[key], dict):
            state = state[key]
    if not isinstance(state, dict) or "conv_first.weight" not in state or "body.0.rdb1.conv1.weight" not in state:
        raise BadInput(f"{path.name} is not a Real-ESRGAN (RRDBNet) model: its weights have other names.")
    return state


def _own_loader(path: Path) -> tuple[Any, int]:
    """(module, scale) from a Real-ESRGAN state dict, without spandrel."""
    state = _state_dict(path)
    num_feat, in_ch = state["conv_first.weight"].shape[:2]
    grow = state["body.0.rdb1.conv1.weight"].shape[0]
    blocks = 1 + max(int(k.split(".")[1]) for k in state if k.startswith("body."))
    out_ch = state["conv_last.weight"].shape[0]
    scale = {out_ch: 4, out_ch * 4: 2, out_ch * 16: 1}.get(in_ch)
    if scale is None:
        raise BadInput(f"{path.name}: {in_ch} input channels for {out_ch} output channels is no Real-ESRGAN layout.")
    net = RRDBNet(out_ch, out_ch, scale, num_feat, blocks, grow)
    net.load_state_dict(state, strict=True)
    return net, scale


def load_esrgan(path: str | Path, prefer_spandrel: bool = True) -> tuple[Any, int, str]:
    """(module, scale, loader) for a Real-ESRGAN weights file (.pth or .safetensors).

    spandrel when importable (it also knows the other ESRGAN-family layouts), else ours."""
    p = Path(path)
    if prefer_spandrel:
        try:
            import spandrel
        except ImportError:
            spandrel = None
        if spandrel is not None:
            desc = spandrel.ModelLoader().load_from_file(str(p))
            if not isinstance(desc, spandrel.ImageModelDescriptor):
                raise BadInput(f"{p.name} is a {type(desc).__name__}, not an image upscaler.")
            return desc.model, int(desc.scale), "spandrel"
    net, scale = _own_loader(p)
    return net, scale, "rrdbnet"


@dataclass
class UpscaleRequest:
    """Upscale one RGB image (uint8 HxWx3) by `outscale` (the model's scale, then Lanczos to it)."""

    image: np.ndarray
    outscale: float = 4.0
    tile: int = 256
    tile_pad: int = 16
    extra: dict[str, Any] = field(default_factory=dict)


class Upscaler:
    """Real-ESRGAN with `load(device)`, `run(request, ctx)`, `unload()` like every pipeline."""

    def __init__(self, weights: str | Path, model_id: str = "realesrgan-x4plus"):
        self.weights = Path(weights)
        self.model_id = model_id
        self.net: Any = None
        self.scale = 4
        self.loader = ""
        self.device = "cpu"
        self.half = False

    def load(self, device: str = "auto") -> Upscaler:
        torch = _torch()
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = device
        self.net, self.scale, self.loader = load_esrgan(self.weights)
        self.half = device.startswith("cuda")
        self.net = self.net.eval().to(device)
        if self.half:
            self.net = self.net.half()
        return self

    def unload(self) -> None:
        self.net = None
        torch = _torch()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def tiles(self, h: int, w: int, tile: int) -> Iterator[tuple[int, int, int, int]]:
        """(y0, y1, x0, x1) of each tile, row by row."""
        for y in range(0, h, tile):
            for x in range(0, w, tile):
                yield y, min(y + tile, h), x, min(x + tile, w)

    def run(self, req: UpscaleRequest, ctx: TaskContext | None = None) -> np.ndarray:
        """The upscaled image, uint8 RGB."""
        if self.net is None:
            raise RuntimeError("load() the upscaler first")
        torch = _torch()
        ctx = ctx or null_context()
        img = req.image
        if img.ndim != 3 or img.shape[2] != 3:
            raise BadInput("The upscaler takes an RGB picture.")
        h, w = img.shape[:2]
        s, pad = self.scale, req.tile_pad
        dtype = torch.float16 if self.half else torch.float32
        img = np.ascontiguousarray(img) if img.flags.writeable else img.copy()  # torch wants writable memory
        src = torch.from_numpy(img).permute(2, 0, 1)[None].to(self.device, dtype) / 255.0
        out = torch.empty((1, 3, h * s, w * s), dtype=torch.float32)
        boxes = list(self.tiles(h, w, max(16, req.tile)))
        with torch.inference_mode():
            for n, (y0, y1, x0, x1) in enumerate(boxes):
                ctx.progress(n, len(boxes), f"Upscaling tile {n + 1}/{len(boxes)}")
                py0, py1, px0, px1 = max(y0 - pad, 0), min(y1 + pad, h), max(x0 - pad, 0), min(x1 + pad, w)
                part = self.net(src[:, :, py0:py1, px0:px1]).float().cpu()
                oy, ox = (y0 - py0) * s, (x0 - px0) * s
                out[:, :, y0 * s:y1 * s, x0 * s:x1 * s] = part[:, :, oy:oy + (y1 - y0) * s, ox:ox + (x1 - x0) * s]
        ctx.progress(len(boxes), len(boxes), "Upscaled")
        rgb = (out[0].clamp(0, 1).permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8)
        if abs(req.outscale - s) > 1e-6:
            import cv2

            tw, th = max(1, round(w * req.outscale)), max(1, round(h * req.outscale))
            rgb = cv2.resize(rgb, (tw, th), interpolation=cv2.INTER_LANCZOS4 if req.outscale > s else cv2.INTER_AREA)
        return rgb
