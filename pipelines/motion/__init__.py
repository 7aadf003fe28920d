"""Motion clips from a still: Stable Video Diffusion, the OpenCV camera-motion default, and
per-frame identity repair."""
