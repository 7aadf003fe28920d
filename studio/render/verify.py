"""`studio verify`: read an export's C2PA manifest, AI tags and invisible watermark."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from studio.core.errors import NotFound

from . import c2pa_sign as prov
from .ffmpeg import probe
from .graph import AI_METADATA

_STILL = {".jpg", ".jpeg", ".png", ".webp"}


def verify_file(path: str | Path) -> dict[str, Any]:
    """Everything we can check about a file; `ok` is False when any check fails.

    Checks: a C2PA manifest is present and validates (a tampered file fails its hash), it says
    trainedAlgorithmicMedia, the AI-generated metadata tag is there, and for stills the invisible
    watermark is found and matches the payload recorded in the manifest.
    """
    p = Path(path)
    if not p.is_file():
        raise NotFound(f"No file at '{p}'. Give the path of an exported MP4 or cover image.")
    problems: list[str] = []
    c2 = prov.read(p)
    report: dict[str, Any] = {"file": str(p), "c2pa": {"present": c2["present"], "state": c2["state"],
                                                       "failures": c2["failures"]}}
    summary = prov.manifest_summary(c2["manifest"]) if c2["manifest"] else {}
    report["c2pa"].update(summary)
    if not c2["present"]:
        problems.append("no C2PA manifest")
    elif c2["state"] not in ("Valid", "Trusted") or c2["failures"]:
        problems.append("C2PA manifest does not validate (the file was changed after signing)")
    elif prov.AI_SOURCE_TYPE not in summary.get("digital_source_types", []):
        problems.append("manifest does not declare trainedAlgorithmicMedia")
    report["c2pa"]["trusted"] = c2["trusted"]
    if c2["present"] and not c2["trusted"]:
        report["c2pa"]["note"] = "signed, but not by a trusted certificate (local development CA)"
    if p.suffix.lower() in _STILL:
        tags = prov.still_tags(p)
        report["metadata"] = tags
        if not any("AI-generated" in v for v in tags.values()):
            problems.append("no AI-generated metadata tag")
        import numpy as np
        from PIL import Image

        from .watermark import verify as wm_verify

        rgb = np.asarray(Image.open(p).convert("RGB"))
        wm = wm_verify(rgb)
        expected = (summary.get("studio") or {}).get("watermark")
        wm["expected"] = expected
        wm["matches_manifest"] = bool(expected) and wm["payload"] == expected
        report["watermark"] = wm
        if not wm["found"]:
            problems.append("invisible watermark not found")
        elif expected and not wm["matches_manifest"]:
            problems.append("watermark does not match the manifest")
    else:
        text = probe(p).text
        m = re.search(r"^\s*comment\s*:\s*(.*)$", text, re.M)
        report["metadata"] = {"comment": m.group(1).strip() if m else None}
        if not m or AI_METADATA not in m.group(1):
            problems.append("no AI-generated metadata tag")
    studio = summary.get("studio") or {}
    if studio.get("commercial_use") is not None:  # the manifest holds the state; its models say why
        from .licences import normalise

        report["commercial_use"] = normalise({"verdict": studio["commercial_use"],
                                              "models": studio.get("models") or []})
    report["problems"] = problems
    report["ok"] = not problems
    return report
