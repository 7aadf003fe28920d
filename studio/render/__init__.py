"""Timeline to file: pure ffmpeg argument/filtergraph builders, presets, captions, provenance. No Qt."""
