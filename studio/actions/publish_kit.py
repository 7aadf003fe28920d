"""The publish kit: for an approved calendar item, one folder per platform with everything its
upload page needs — the export, the cover, the caption with hashtags, the SRT and a checklist of
the platform's limits — ready to drag into the browser.

Caption limits are enforced: a kit is not made while a caption is too long or has too many
hashtags (the message says by how much). Media limits (duration, size, aspect) are measured on the
exported file and listed in the checklist; one that fails is reported as a warning.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from studio.core.calendar import PlanItem, UploadText, slug
from studio.core.errors import BadInput, NotFound
from studio.core.project import Project

from .plan import get_item

KITS_DIR = "kits"


@dataclass
class PlatformKit:
    preset: str
    folder: Path
    files: list[str]
    checks: list[tuple[str, bool]]


@dataclass
class Kit:
    folder: Path
    platforms: list[PlatformKit] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [f"{k.preset}: {line}" for k in self.platforms for line, ok in k.checks if not ok]


def _cover(project: Project, export_id: str) -> Path | None:
    for a in project.assets_of("export", "image"):
        if export_id in a.parents and a.provenance.pipeline == "export-cover":
            return project.asset_path(a)
    return None


def check_kit(project: Project, item: PlanItem) -> dict[str, str]:
    """preset -> export asset id for every platform of `item`, or BadInput naming every problem."""
    from studio.render.platforms import upload_problems

    if item.state not in ("approved", "published"):
        raise BadInput(f"'{item.topic}' is {item.state}; a publish kit is made for approved posts. "
                       f"Check the post, then `studio plan set-state PROJECT {item.id} approved`.")
    if not item.post_id:
        raise BadInput(f"'{item.topic}' has no post. Render it first (`studio plan render`).")
    post = project.post(item.post_id)
    if not item.platforms:
        raise BadInput(f"'{item.topic}' has no platforms. Add them with `studio plan edit --platform`.")
    problems: list[str] = []
    exports: dict[str, str] = {}
    for pid in item.platforms:
        aid = post.exports.get(pid)
        try:
            if aid is None:
                raise NotFound(pid)
            project.asset(aid)
            exports[pid] = aid
        except NotFound:
            problems.append(f"The post has no {pid} export: `studio export PROJECT {post.id} --preset {pid}`.")
        up = item.upload.get(pid, UploadText())
        if not up.caption.strip():
            problems.append(f"There is no {pid} caption: draft one with `studio write captions PROJECT {item.id}` "
                            f"or set it with `studio plan caption PROJECT {item.id} --platform {pid} --text …`.")
        problems += upload_problems(pid, up)
    if problems:
        raise BadInput(f"Cannot make the publish kit for '{item.topic}': " + " ".join(problems))
    return exports


def make_kit(project: Project, ref: str, out_dir: str | os.PathLike[str] | None = None) -> Kit:
    """Write the kit of item `ref` to `out_dir` (default: the project's exports/kits/DATE-TOPIC);
    a kit made before for the same item is replaced only once the new one is complete."""
    from studio.render.platforms import limits_for, media_checks, text_length
    from studio.render.presets import get_preset

    item = get_item(project, ref)
    exports = check_kit(project, item)
    root = Path(out_dir).expanduser() if out_dir else project.path / "exports" / KITS_DIR
    name = f"{item.date.isoformat()}-{slug(item.topic)}"
    final = root / name
    tmp = root / f".{name}.{uuid.uuid4().hex[:6]}.part"
    tmp.mkdir(parents=True)
    kit = Kit(final)
    try:
        for pid, aid in exports.items():
            preset, lim = get_preset(pid), limits_for(pid)
            asset = project.asset(aid)
            src = project.asset_path(asset)
            folder = tmp / pid
            folder.mkdir()
            files = []
            video = f"{slug(item.topic)}-{pid}{src.suffix}"
            shutil.copy2(src, folder / video)
            files.append(video)
            cover = _cover(project, aid)
            if cover is not None:
                shutil.copy2(cover, folder / f"cover{cover.suffix}")
                files.append(f"cover{cover.suffix}")
            srt = project.sidecar(asset, ".srt")
            if srt.is_file():
                shutil.copy2(srt, folder / "captions.srt")
                files.append("captions.srt")
            up = item.upload[pid]
            (folder / "caption.txt").write_text(up.text() + "\n", "utf-8")
            files.append("caption.txt")
            title = item.topic.strip()
            if lim.title_max:
                (folder / "title.txt").write_text(title[: lim.title_max] + "\n", "utf-8")
                files.append("title.txt")
            p = asset.provenance.parameters
            checks = media_checks(preset, float(p.get("duration") or 0.0), src.stat().st_size,
                                  int(p.get("width") or preset.width), int(p.get("height") or preset.height))
            n = text_length(pid, up.text())
            checks.append((f"Caption {n} / {lim.caption_max} characters"
                           + (" (X weighted count)" if lim.counting == "x" else ""), True))
            if lim.hashtags_max is not None:
                checks.append((f"Hashtags {len(up.hashtags)} / {lim.hashtags_max}", True))
            if lim.title_max:
                checks.append((f"Title {min(len(title), lim.title_max)} / {lim.title_max} characters"
                               + (" (shortened)" if len(title) > lim.title_max else ""), True))
            checks.append(("Labelled AI-generated (C2PA manifest" + (", visible label" if p.get("label") else "")
                           + "); turn on the platform's AI-generated content label when uploading", True))
            from studio.render.licences import asset_verdict, verdict_text

            verdict = asset_verdict(project, asset)
            checks.append((verdict_text(verdict), verdict["verdict"] == "allowed"))
            (folder / "checklist.md").write_text(_checklist(item, preset.name, lim.source, checks), "utf-8")
            files.append("checklist.md")
            kit.platforms.append(PlatformKit(pid, final / pid, files, checks))
        old = None
        if final.exists():
            old = root / f".{name}.{uuid.uuid4().hex[:6]}.old"
            os.replace(final, old)
        os.replace(tmp, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return kit


def _checklist(item: PlanItem, platform: str, source: str, checks: list[tuple[str, bool]]) -> str:
    lines = [f"# {item.topic} — {platform}", "", f"Planned for {item.date.isoformat()}"
             + (f" at {item.time}" if item.time else "") + ".", "",
             "| | Check |", "|---|---|"]
    lines += [f"| {'✅' if ok else '❌'} | {text} |" for text, ok in checks]
    lines += ["", f"Limits: {source}.", "",
              "After posting, record the URL: "
              f"`studio plan set-state PROJECT {item.id} published --url URL --platform …`.", ""]
    return "\n".join(lines)
