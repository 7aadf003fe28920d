"""C2PA manifests (sign and read) and AI-generated metadata tags for stills.

Every export carries a manifest saying it is trainedAlgorithmicMedia made by Persona Studio,
with its actions and ingredients (the asset chain), signed with the user's certificate or the
local development one (see certs.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.errors import StudioError

from .certs import SigningIdentity

AI_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
AGENT = "Persona Studio"
STUDIO_ASSERTION = "org.personastudio.provenance"

_MIME = {".mp4": "video/mp4", ".m4a": "audio/mp4", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".png": "image/png", ".wav": "audio/wav", ".webp": "image/webp", ".mov": "video/quicktime"}


def mime_of(path: str | Path) -> str | None:
    return _MIME.get(Path(path).suffix.lower())


@dataclass(frozen=True)
class Ingredient:
    """A file that went into the export (a clip, still, narration, music)."""

    path: str
    title: str
    asset_id: str | None = None


def manifest_definition(
    title: str,
    studio_version: str,
    actions: Sequence[dict[str, Any]],
    studio_data: dict[str, Any],
) -> dict[str, Any]:
    """The manifest JSON for c2pa.Builder: our actions and the studio's own assertion."""
    acts = []
    for a in actions:
        act = {"softwareAgent": {"name": AGENT, "version": studio_version}, **a}
        if act["action"] == "c2pa.created":
            act.setdefault("digitalSourceType", AI_SOURCE_TYPE)
        acts.append(act)
    return {
        "claim_generator_info": [{"name": AGENT, "version": studio_version}],
        "title": title,
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": acts}},
            {"label": STUDIO_ASSERTION, "data": studio_data},
        ],
    }


def sign(
    src: str | Path,
    dest: str | Path,
    identity: SigningIdentity,
    manifest: dict[str, Any],
    ingredients: Sequence[Ingredient] = (),
) -> None:
    """Write `dest` = `src` with an embedded, signed C2PA manifest."""
    import c2pa

    mime = mime_of(src)
    if mime is None:
        raise StudioError(f"Cannot sign '{src}': C2PA does not support this file type here.")
    try:
        info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, identity.chain_pem, identity.key_pem, None)
        with c2pa.Signer.from_info(info) as signer, c2pa.Builder(manifest) as builder:
            for ing in ingredients:
                imime = mime_of(ing.path)
                if imime is None or not Path(ing.path).is_file():
                    continue
                meta = {"title": ing.title, "relationship": "componentOf"}
                if ing.asset_id:
                    meta["instance_id"] = f"persona-studio:{ing.asset_id}"
                with open(ing.path, "rb") as fh:
                    builder.add_ingredient(meta, imime, fh)
            with open(src, "rb") as s, open(dest, "w+b") as d:
                builder.sign(signer, mime, s, d)
    except c2pa.C2paError as e:
        raise StudioError(
            f"Signing the C2PA manifest failed: {e}. Check the certificate in settings "
            "(c2pa_cert/c2pa_key) or delete the development certificate to make a new one."
        ) from e


def read(path: str | Path) -> dict[str, Any]:
    """{"present", "state", "failures", "manifest"} of a file's C2PA manifest."""
    import c2pa

    try:
        with c2pa.Reader(str(path)) as r:
            state = r.get_validation_state()
            results = r.get_validation_results() or {}
            manifest = r.get_active_manifest() or {}
    except c2pa.C2paError as e:
        text = str(e)
        if "ManifestNotFound" in type(e).__name__ or "not found" in text.lower():
            return {"present": False, "state": None, "failures": [], "manifest": {}, "trusted": False}
        return {"present": True, "state": "Invalid", "failures": [text], "manifest": {}, "trusted": False}
    raw = (results.get("activeManifest", {}) or {}).get("failure", [])
    # an untrusted signer is about who signed (our development CA), not about the file's integrity
    untrusted = any(f.get("code") == "signingCredential.untrusted" for f in raw)
    failures = [
        f"{f.get('code')}: {f.get('explanation', '')}"
        for f in raw
        if f.get("code") != "signingCredential.untrusted"
    ]
    return {"present": True, "state": state, "failures": failures, "manifest": manifest,
            "trusted": not untrusted}


def manifest_summary(manifest: dict[str, Any]) -> dict[str, Any]:
    """The parts of an active manifest that `studio verify` shows."""
    actions: list[dict[str, Any]] = []
    studio: dict[str, Any] = {}
    for a in manifest.get("assertions", []):
        label = a.get("label", "")
        if label.startswith("c2pa.actions"):
            actions += a.get("data", {}).get("actions", [])
        elif label == STUDIO_ASSERTION:
            studio = a.get("data", {})
    sig = manifest.get("signature_info", {}) or {}
    return {
        "title": manifest.get("title"),
        "actions": [a.get("action") for a in actions],
        "digital_source_types": sorted({a["digitalSourceType"] for a in actions if "digitalSourceType" in a}),
        "ingredients": [i.get("title") for i in manifest.get("ingredients", [])],
        "issuer": sig.get("issuer"),
        "studio": studio,
    }


def tag_still(path: str | Path, rgb_or_none: Any = None) -> None:
    """Write "AI-generated" into a still's metadata: EXIF + XMP for JPEG, text chunks for PNG."""
    from PIL import Image, PngImagePlugin

    text = "AI-generated with Persona Studio"
    p = Path(path)
    img = Image.open(p)
    img.load()
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">'
        f"<dc:description>{text}</dc:description>"
        f"<Iptc4xmpExt:DigitalSourceType>{AI_SOURCE_TYPE}</Iptc4xmpExt:DigitalSourceType>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    if p.suffix.lower() == ".png":
        info = PngImagePlugin.PngInfo()
        info.add_text("Description", text)
        info.add_text("Software", AGENT)
        info.add_itxt("XML:com.adobe.xmp", xmp)
        img.save(p, pnginfo=info)
        return
    exif = Image.Exif()
    exif[0x010E] = text  # ImageDescription
    exif[0x0131] = AGENT  # Software
    img.save(p, quality=95, exif=exif, xmp=xmp.encode("utf-8"))


def still_tags(path: str | Path) -> dict[str, str]:
    """The AI-generated tags found in a still (EXIF ImageDescription, PNG text, XMP)."""
    from PIL import Image

    with Image.open(path) as img:
        found: dict[str, str] = {}
        exif = img.getexif()
        if 0x010E in exif:
            found["exif_description"] = str(exif[0x010E])
        for k, v in (img.info or {}).items():
            if isinstance(v, str | bytes) and k in ("Description", "xmp", "XML:com.adobe.xmp"):
                found[k.lower()] = v.decode("utf-8", "replace") if isinstance(v, bytes) else v
        return found


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, default=str)
