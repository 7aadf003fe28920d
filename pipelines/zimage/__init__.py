"""Z-Image-Turbo stills (Apache-2.0): text-to-image, img2img and inpainting in 8 steps."""
