"""Timeline to finished file: ffmpeg filtergraphs, captions, loudness, presets, provenance.

Pure builders (presets, reframe, captions, audio, graph) make ffmpeg arguments as data; `ffmpeg`
runs them; `export` ties a project's timeline to files. Nothing here imports Qt.
"""
