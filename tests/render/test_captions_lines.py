"""Caption lines read like sentences and stay on screen through short pauses."""

from studio.core.timeline import caption_clips
from studio.render.captions import hold_until, lines_from_clips


def test_lines_break_at_sentence_ends_and_hold_through_pauses():
    words = [
        {"word": "Hi,", "start": 0.07, "end": 0.38}, {"word": "I'm", "start": 0.58, "end": 0.70},
        {"word": "Nova.", "start": 0.74, "end": 1.08}, {"word": "This", "start": 1.33, "end": 1.47},
        {"word": "post", "start": 1.52, "end": 1.74}, {"word": "rocks.", "start": 1.78, "end": 2.0},
    ]
    lines = lines_from_clips(caption_clips(words), words_per_line=4)
    assert [line.text for line in lines] == ["Hi, I'm Nova.", "This post rocks."]
    assert hold_until(lines, 0) == lines[1].start  # 0.25 s pause: no blank flash between lines
    assert hold_until(lines, 1) > lines[1].end  # the last line lingers a moment
