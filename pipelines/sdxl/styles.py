"""Style presets (resources/styles/*.yaml) and how a still's prompt is put together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import BadInput
from studio.core.paths import resources_dir


@dataclass(frozen=True)
class StylePreset:
    """A named look: words added to the prompt and to the negative prompt."""

    name: str
    description: str
    prompt: str
    negative: str = ""


def styles_dir() -> Path:
    return resources_dir() / "styles"


def list_styles(folder: Path | None = None) -> list[StylePreset]:
    """Every preset, sorted by name."""
    import yaml

    out = []
    for f in sorted((folder or styles_dir()).glob("*.yaml")):
        doc = yaml.safe_load(f.read_text("utf-8")) or {}
        out.append(StylePreset(
            name=str(doc.get("name", f.stem)),
            description=str(doc.get("description", "")),
            prompt=str(doc.get("prompt", "")).strip(),
            negative=str(doc.get("negative", "")).strip(),
        ))
    return out


def get_style(name: str, folder: Path | None = None) -> StylePreset:
    presets = list_styles(folder)
    for p in presets:
        if p.name == name:
            return p
    raise BadInput(f"No style '{name}'. Available: {', '.join(p.name for p in presets)} (`studio styles`).")


def _join(*parts: str) -> str:
    return ", ".join(p.strip().strip(",").strip() for p in parts if p and p.strip())


def build_prompt(
    user_prompt: str, persona_style: str, persona_negative: str, preset: StylePreset | None = None
) -> tuple[str, str]:
    """(prompt, negative): persona style, then the user's words, then the preset's details."""
    prompt = _join(persona_style, user_prompt, preset.prompt if preset else "")
    negative = _join(persona_negative, preset.negative if preset else "")
    return prompt, negative


def reference_prompt(description: str) -> str:
    """The close-up portrait prompt for inventing a new synthetic face."""
    return _join(
        f"close-up portrait photo of {description}",
        "looking at the camera, head and shoulders, neutral expression, even soft light",
        "plain background, sharp focus, natural skin texture, 85mm lens",
    )
