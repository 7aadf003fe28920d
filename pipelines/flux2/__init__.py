"""FLUX.2 [klein] stills (Apache-2.0 4B): text-to-image, multi-reference edits, inpainting."""
