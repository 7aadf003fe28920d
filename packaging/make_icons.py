"""Render packaging/linux/persona-studio.png and windows/persona-studio.ico (same shapes as the SVG).

Run once when the icon changes: `python packaging/make_icons.py`. Pillow only, no SVG renderer.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent


def render(size: int = 256) -> Image.Image:
    """The icon at `size` px, drawn at 4x and downsampled for smooth edges."""
    s = size * 4 / 256
    big = int(256 * s)
    grad = Image.new("RGBA", (big, big))
    top, bottom = (0x7B, 0x4D, 0xFF), (0xFF, 0x5C, 0x8A)
    px = grad.load()
    for y in range(big):
        for x in range(big):
            t = (x + y) / (2 * big)
            px[x, y] = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)) + (255,)
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).rounded_rectangle([8 * s, 8 * s, 248 * s, 248 * s], radius=52 * s, fill=255)
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    img.paste(grad, mask=mask)
    d = ImageDraw.Draw(img)
    d.ellipse([84 * s, 54 * s, 172 * s, 142 * s], fill="white")
    d.chord([52 * s, 146 * s, 204 * s, 278 * s], 180, 360, fill="white")  # shoulders
    d.ellipse([178 * s, 42 * s, 214 * s, 78 * s], fill="#ffd34d")
    return img.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    icon = render(256)
    icon.save(HERE / "linux" / "persona-studio.png")
    icon.save(HERE / "windows" / "persona-studio.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print("wrote", HERE / "linux" / "persona-studio.png", HERE / "windows" / "persona-studio.ico")
