"""The Post page's storyboard: the script's scene cards (reorder by drag, choose a picture), a made
post's scene cards with candidates, re-roll and pick jobs, and a look previewed on a frame."""

from __future__ import annotations

from PIL import Image
from skimage import data

from studio.core.schema import Post
from studio.core.storyboard import SceneMade, build_storyboard, split_script
from studio.core.timeline import Timeline


def test_script_cards_reorder_and_set_the_picture(window, tmp_path):
    window.open_project(_project(tmp_path))
    assert window.show_panel("post")
    panel = window.panel("post")
    view = panel.scenes_view
    panel.script.setPlainText("Hello there.\n\nThis is the cafe.\n\nBye now.")
    view.refresh()
    assert view.strip.count() == 3 and not view.strip.isHidden()
    view._reorder([2, 0, 1])  # what a drag emits: the old index of each card, left to right
    assert [s["text"] for s in split_script(panel.script.toPlainText())] == ["Bye now.", "Hello there.",
                                                                               "This is the cafe."]
    Image.fromarray(data.coffee()).save(tmp_path / "cafe.png")
    view.set_visual(2, "broll", str(tmp_path / "cafe.png"))
    view.set_field(2, "transition", "crossfade")
    scenes = split_script(panel.script.toPlainText())
    assert scenes[2]["visual"] == {"kind": "broll", "source": str(tmp_path / "cafe.png")}
    assert scenes[2]["transition"] == "crossfade"
    params = panel.params()
    from studio.core.storyboard import storyboard_params

    sb = storyboard_params(params["script"])
    assert sb["sources"] == [None, None, str(tmp_path / "cafe.png")]
    panel.script.setPlainText("Just one scene.")
    view.refresh()
    assert view.strip.isHidden()  # one scene: nothing to arrange


def _project(tmp_path):
    from studio.core.project import Project

    with Project.create(tmp_path, "Board"):
        pass
    return tmp_path / "Board.persona"


def test_made_post_cards_candidates_reroll_pick_and_look(window, tmp_path, monkeypatch):
    folder = _project(tmp_path)
    from studio.core.project import Project

    with Project.open(folder) as p:
        for name, img in (("a", data.astronaut()), ("b", data.coffee()), ("c", data.chelsea())):
            Image.fromarray(img).save(tmp_path / f"{name}.png")
        ids = [p.import_file(tmp_path / f"{n}.png", "image", label=n).id for n in "abc"]
        board = build_storyboard({"scenes": [{"text": "One."}, {"text": "Two.", "visual": {"kind": "broll"}}]})
        made = [SceneMade(clip=ids[0], still=ids[0], start=0, end=1.5, identity=81.0, identity_verdict="same person",
                          candidates=[ids[0], ids[2]], candidate_scores={ids[0]: 81.0, ids[2]: 40.0}),
                SceneMade(clip=ids[1], start=1.5, end=3.0)]
        board = board.model_copy(update={"scenes": [s.model_copy(update={"made": m})
                                                    for s, m in zip(board.scenes, made, strict=True)]})
        tl = Timeline.empty()
        p.put_timeline(tl)
        p.put_post(Post(title="Two scenes", timeline_id=tl.id, storyboard=board, presets=["reels"]))
    window.open_project(folder)
    window.show_panel("post")
    sb = window.panel("post").storyboard
    sb.refresh()
    assert sb.strip.count() == 2 and "1.5–3.0 s" in sb.strip.item(1).text() and "id 81" in sb.strip.item(0).text()
    sb.strip.setCurrentRow(0)
    assert sb.candidates.count() == 2 and "✓" in sb.candidates.item(0).text()
    started = []
    sb.start_job = lambda kind, params, title: started.append((kind, params))
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("at the beach", True))
    monkeypatch.setattr(QInputDialog, "getInt", lambda *a, **k: (4, True))
    sb.reroll()
    sb._pick(sb.candidates.item(1))
    assert started[0] == ("scene.reroll", {"post": sb.post_id, "scene": 1, "prompt": "at the beach", "candidates": 4})
    assert started[1] == ("scene.pick", {"post": sb.post_id, "scene": 1, "candidate": 2})
    sb.look.setCurrentIndex(sb.look.findData("mono"))
    out = sb.preview()
    assert out is not None and out.is_file() and not sb.preview_label.pixmap().isNull()
    import numpy as np

    rgb = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert np.abs(rgb[..., 0] - rgb[..., 2]).max() < 8  # black and white
