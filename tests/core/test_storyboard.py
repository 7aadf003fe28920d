"""Storyboards: scripts split into scenes, scene files, cuts on word gaps, the v3 -> v4 migration."""

from __future__ import annotations

import json

import pytest

from studio.core.errors import BadInput
from studio.core.project import Project
from studio.core.storyboard import (
    build_storyboard,
    looks_like_scene_file,
    parse_scene_file,
    place_cuts,
    scene_spans,
    scene_word_starts,
    script_from_scenes,
    split_script,
)


def test_paragraphs_become_scenes_and_rules_win_over_paragraphs():
    assert [s["text"] for s in split_script("One.\n\nTwo two.\n\n\nThree.")] == ["One.", "Two two.", "Three."]
    text = "First part.\n\nstill first.\n--- broll: beach.jpg, crossfade, sound\nAt the beach.\n---\nBack."
    scenes = split_script(text)
    assert [s["text"] for s in scenes] == ["First part.\n\nstill first.", "At the beach.", "Back."]
    assert scenes[1]["visual"] == {"kind": "broll", "source": "beach.jpg", "sound": True}
    assert scenes[1]["transition"] == "crossfade" and "visual" not in scenes[2]
    top = split_script("--- talking, look: old-film\nHello.\n--- generate: a cafe at dawn, dip\nCoffee.")
    assert top[0] == {"visual": {"kind": "talking"}, "look": "old-film", "text": "Hello."}
    assert top[1]["visual"] == {"kind": "still", "prompt": "a cafe at dawn"} and top[1]["transition"] == "dip"
    assert split_script("A.\n\nB.", by="none") == [{"text": "A.\n\nB."}]
    # the window rewrites the script from its scene cards (reordered): it reads back the same
    again = split_script(script_from_scenes(list(reversed(scenes))))
    assert again == list(reversed(scenes))
    assert split_script(script_from_scenes(top)) == top


@pytest.mark.parametrize("bad, words", [
    ("Hi.\n--- wobble\nThere.", "not a scene setting"),
    ("Hi.\n--- broll: x.jpg", "no words"),
])
def test_bad_scene_lines_say_what_to_write(bad, words):
    with pytest.raises(BadInput, match=words):
        split_script(bad)


def test_scene_file_with_per_scene_settings():
    text = """
hook: Three things before 7 am
look: warm
transition: crossfade
scenes:
  - text: Hi, I'm Nova.
  - text: This is my beach.
    visual: broll photos/beach.jpg
    look: old-film
  - text: Back to you.
    visual: {kind: talking, move: pan}
    transition: cut
"""
    assert looks_like_scene_file(text) and looks_like_scene_file("x", "a.yml") and not looks_like_scene_file("Hi.")
    board = build_storyboard(parse_scene_file(text), defaults={"move": "push-in"})
    assert board.hook == "Three things before 7 am" and board.look == "warm"
    kinds = [(s.visual.kind, s.visual.source, s.transition, s.look) for s in board.scenes]
    assert kinds == [("talking", None, "crossfade", None), ("broll", "photos/beach.jpg", "crossfade", "old-film"),
                     ("talking", None, "cut", None)]
    assert board.scenes[2].visual.move == "pan" and board.scenes[0].visual.move == "push-in"
    assert board.script == "Hi, I'm Nova.\n\nThis is my beach.\n\nBack to you."
    assert board.scene(2)[1].id == board.scenes[1].id and board.scene(board.scenes[2].id)[0] == 2


@pytest.mark.parametrize("text, words", [
    ("scenes: [", "not valid YAML"),
    ("hook: hi", "needs a `scenes:` list"),
    ("scenes:\n  - text: ''", "scene 1 has no words"),
    ("scenes:\n  - text: Hi\n    visual: dancing", "Scene 1: visual.kind"),
    ("scenes:\n  - text: Hi\n    transition: wipe", "Scene 1: transition"),
])
def test_bad_scene_files_are_bad_input(text, words):
    with pytest.raises(BadInput, match=words):
        build_storyboard(parse_scene_file(text))


def _words(text: str, gap_after: set[int] = frozenset(), t0: float = 0.1) -> list[dict]:
    out, t = [], t0
    for i, w in enumerate(text.split()):
        out.append({"word": w, "start": round(t, 3), "end": round(t + 0.3, 3)})
        t += 0.3 + (0.5 if i in gap_after else 0.05)
    return out


def test_cuts_land_in_the_pause_before_each_scene_and_survive_spoken_numbers():
    texts = ["Hi, I'm Nova.", "I ran 5 km today.", "See you."]
    # the narration says "five" for "5": sequence matching still finds the scene starts
    words = _words("Hi I'm Nova. I ran five km today. See you.", gap_after={2, 7})
    assert scene_word_starts(texts, words) == [0, 3, 8]
    cuts = place_cuts(texts, words, duration=4.0)
    assert cuts[0] == 0.0 and cuts[-1] == 4.0
    for k, cut in zip((3, 8), cuts[1:3], strict=True):
        assert words[k - 1]["end"] < cut < words[k]["start"]  # inside the pause, never in a word
    assert place_cuts(["a b", "c d e f"], [], 3.0) == pytest.approx([0.0, 0.9, 3.0])  # by length


def test_spans_overlap_by_the_transition_and_cuts_have_none():
    board = build_storyboard({"scenes": [{"text": "a"}, {"text": "b", "transition": "crossfade", "transition_s": 0.4},
                                         {"text": "c"}]})
    spans = scene_spans(board, [0.0, 2.0, 4.0, 6.0])
    assert spans == [(0.0, 2.2), (1.8, 4.0), (4.0, 6.0)]


def test_v3_posts_without_exports_are_marked_unfinished(tmp_path):
    folder = tmp_path / "Old.persona"
    folder.mkdir()
    v3 = {"schema_version": 3, "persona": {"name": "Old"}, "posts": [
        {"id": "post-1", "title": "done", "exports": {"reels": "export-1"}},
        {"id": "post-2", "title": "killed during its export"}]}
    (folder / "project.json").write_text(json.dumps(v3))
    with Project.open(folder) as p:
        assert p.post("post-1").state == "ready" and p.post("post-2").state == "making"
        assert p.post("post-1").storyboard is None
