"""Reading and writing clips: one place for every pipeline and action that handles video.

Frames are read and written through imageio-ffmpeg's pipes (its static ffmpeg has libx264);
`ffmpeg_exe()` — the same rule render uses — runs the one-off commands (frame interpolation).
Clips are written for editing, not for posting: H.264 (yuv420p, plays everywhere, +faststart) at
the caller's CRF/preset, or lossless FFV1 in Matroska. A narration or the source clip's sound can
be muxed in as AAC (or copied as it is).
"""

from __future__ import annotations

import queue
import subprocess
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np

from studio.core.errors import BadInput, StudioError
from studio.core.media import (  # re-exported
    VIDEO_SUFFIXES,
    MediaInfo,
    ffmpeg_exe,
    is_video,
    last_line,
    probe,
)
from studio.core.tasks import TaskContext, null_context

Codec = Literal["h264", "ffv1"]
AudioCodec = Literal["aac", "copy"]
_VCODEC = {"h264": "libx264", "ffv1": "ffv1"}

__all__ = [
    "VIDEO_SUFFIXES", "Codec", "MediaInfo", "VideoWriter", "choose_h264", "encoder_args", "even_size", "ffmpeg_exe",
    "h264_args", "hardware_h264",
    "interpolate", "interpolate_args", "is_video", "probe", "read_frames", "rgb_to_i420", "suffix_for",
    "write_video", "YCC_MATRIX",
]

#: RGB -> limited-range BT.601 Y'CbCr (what yuv420p H.264 holds), as a 3x4 matrix for cv2.transform.
YCC_MATRIX = np.array([
    [0.299 * 219 / 255, 0.587 * 219 / 255, 0.114 * 219 / 255, 16.0],
    [-0.168736 * 224 / 255, -0.331264 * 224 / 255, 0.5 * 224 / 255, 128.0],
    [0.5 * 224 / 255, -0.418688 * 224 / 255, -0.081312 * 224 / 255, 128.0],
])


def rgb_to_i420(rgb: np.ndarray, out: np.ndarray | None = None, scratch: np.ndarray | None = None) -> np.ndarray:
    """One RGB frame as planar yuv420p (BT.601 limited range), shape (h * 3 // 2, w).

    Y comes from OpenCV's I420 conversion; its chroma takes one pixel of each 2×2 block, so the
    chroma is redone from the 2×2 average (what ffmpeg's scaler gives), at about 1.5 ms for 1080p.
    `out` / `scratch` ((h/2, w/2, 3) uint8) are reused when given, avoiding page faults per frame.
    """
    import cv2

    h, w = rgb.shape[:2]
    if out is None:
        out = np.empty((h * 3 // 2, w), np.uint8)
    if scratch is None:
        scratch = np.empty((h // 2, w // 2, 3), np.uint8)
    cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420, dst=out)
    cv2.resize(rgb, (w // 2, h // 2), dst=scratch, interpolation=cv2.INTER_AREA)
    cv2.transform(scratch, YCC_MATRIX, dst=scratch)
    u, v = i420_planes(out)[1:]
    cv2.extractChannel(scratch, 1, u)
    cv2.extractChannel(scratch, 2, v)
    return out


def i420_planes(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, U and V planes of a (h * 3 // 2, w) yuv420p frame (each contiguous)."""
    h, w = buf.shape[0] * 2 // 3, buf.shape[1]
    q = (h // 2) * (w // 2)
    flat = buf.reshape(-1)
    return buf[:h], flat[h * w: h * w + q].reshape(h // 2, w // 2), flat[h * w + q:].reshape(h // 2, w // 2)


def even_size(rgb: np.ndarray) -> np.ndarray:
    """H.264 in yuv420p needs even width and height: crop one pixel if needed."""
    h, w = rgb.shape[:2]
    return rgb[: h - h % 2, : w - w % 2]


def suffix_for(codec: Codec) -> str:
    """File suffix for a codec: FFV1 lives in Matroska, H.264 in MP4."""
    return ".mkv" if codec == "ffv1" else ".mp4"


#: hardware H.264 encoders, tried in this order where the platform can have them
HW_H264 = ("h264_nvenc", "h264_qsv", "h264_amf", "h264_videotoolbox")
#: what each encoder is, in the user's words
ENCODER_WORDS = {"libx264": "x264 (software)", "h264_nvenc": "NVIDIA NVENC", "h264_qsv": "Intel Quick Sync",
                 "h264_amf": "AMD AMF", "h264_videotoolbox": "Apple VideoToolbox"}


def h264_args(preset: str = "veryfast", crf: int | None = 12, kbps: int | None = None, gop: int | None = None,
              profile: str | None = None, encoder: str = "libx264") -> list[str]:
    """H.264 video options: constant quality (`crf`) or a capped bit rate (`kbps`), yuv420p.

    The one place the studio's H.264 settings are written: edit clips (CRF) and social exports
    (bit rate, closed `gop`-frame GOPs that platforms can cut on) both come from here.
    `encoder` is libx264 or a hardware encoder (`HW_H264`), which gets the same targets: the
    same bit rate, peak and buffer, GOP length and profile (hardware encoders are used for
    bit-rate exports; a CRF request always goes to libx264, whose CRF the others do not share)."""
    if encoder != "libx264" and not kbps:
        encoder = "libx264"
    args = ["-c:v", encoder]
    if encoder == "libx264":
        args += ["-preset", preset]
    elif encoder == "h264_nvenc":
        args += ["-preset", "p5", "-tune", "hq", "-rc", "vbr"]
    elif encoder == "h264_qsv":
        args += ["-preset", "veryfast" if preset in ("ultrafast", "superfast", "veryfast") else "medium"]
    elif encoder == "h264_amf":
        args += ["-quality", "balanced", "-rc", "vbr_peak"]
    elif encoder == "h264_videotoolbox":
        args += ["-realtime", "0", "-allow_sw", "1"]
    else:
        raise BadInput(f"Unknown H.264 encoder '{encoder}'; use libx264 or one of {', '.join(HW_H264)}.")
    if kbps:
        args += ["-b:v", f"{kbps}k", "-maxrate", f"{round(kbps * 1.5)}k", "-bufsize", f"{kbps * 2}k"]
    else:
        args += ["-crf", str(int(12 if crf is None else crf))]
    if profile:
        args += ["-profile:v", profile]
    # Quick Sync encodes NV12 (the same 4:2:0 samples; players read it as yuv420p)
    args += ["-pix_fmt", "nv12" if encoder == "h264_qsv" else "yuv420p"]
    if gop:
        args += ["-g", str(gop), "-keyint_min", str(gop)]
        if encoder == "libx264":
            args += ["-sc_threshold", "0", "-flags", "+cgop"]
        elif encoder == "h264_nvenc":
            args += ["-no-scenecut", "1", "-forced-idr", "1", "-strict_gop", "1"]
        elif encoder == "h264_qsv":
            args += ["-idr_interval", "0", "-look_ahead", "0"]
        elif encoder == "h264_amf":
            args += ["-header_insertion_mode", "idr"]
    return args


def _encoder_works(ffmpeg: str, encoder: str) -> bool:
    """Whether `encoder` really encodes here: listed encoders fail at open without the hardware."""
    cmd = [ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
           "color=c=gray:s=256x256:r=30:d=0.2", "-frames:v", "3",
           *h264_args(kbps=1000, gop=30, profile="high", encoder=encoder), "-f", "null", "-"]
    try:
        return subprocess.run(cmd, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


_HW_PROBED: dict[str, str | None] = {}


def hardware_h264(ffmpeg: str | None = None) -> str | None:
    """The first hardware H.264 encoder that works on this machine (None: use libx264).

    Probed once per process and ffmpeg binary (a test encode of three frames per candidate the
    ffmpeg build lists), so exports after the first pay nothing."""
    ffmpeg = ffmpeg or ffmpeg_exe()
    if ffmpeg not in _HW_PROBED:
        try:
            listed = subprocess.run([ffmpeg, "-hide_banner", "-encoders"], capture_output=True, text=True,
                                    timeout=20).stdout
        except (OSError, subprocess.TimeoutExpired):
            listed = ""
        found = None
        for enc in HW_H264:
            if f" {enc} " in listed and _encoder_works(ffmpeg, enc):
                found = enc
                break
        _HW_PROBED[ffmpeg] = found
    return _HW_PROBED[ffmpeg]


def choose_h264(want: str = "auto", ffmpeg: str | None = None) -> str:
    """The encoder for an export: 'auto' = hardware where it works, else libx264; 'software' =
    libx264; or an encoder name (BadInput when it does not work on this machine)."""
    if want in ("software", "libx264", "x264"):
        return "libx264"
    if want == "auto":
        return hardware_h264(ffmpeg) or "libx264"
    name = want if want.startswith("h264_") else f"h264_{want}"
    if name not in HW_H264:
        raise BadInput(f"--encoder '{want}': choose auto, software, {', '.join(e[5:] for e in HW_H264)}.")
    if not _encoder_works(ffmpeg or ffmpeg_exe(), name):
        raise BadInput(f"{ENCODER_WORDS[name]} does not work on this machine (no such GPU or driver). "
                       "Use --encoder auto or software.")
    return name


def encoder_args(codec: Codec = "h264", crf: int = 12, preset: str = "veryfast") -> list[str]:
    """ffmpeg output arguments for an edit-friendly clip (pure; unit-tested as a list)."""
    if codec == "ffv1":
        return ["-c:v", "ffv1", "-level", "3", "-pix_fmt", "yuv444p", "-g", "1"]
    # CRF 12 is visually lossless for re-editing; +faststart lets players seek before the end.
    return [*h264_args(preset, crf), "-movflags", "+faststart"]


# ---------------------------------------------------------------------------------------- reading
def _open(path: str | Path) -> tuple[Any, dict]:
    """imageio-ffmpeg's RGB frame generator, already past its metadata, and that metadata."""
    import imageio_ffmpeg

    try:
        gen = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
        meta = dict(gen.__next__())
    except (OSError, RuntimeError, StopIteration) as e:
        why = last_line(str(e), "no video stream")  # imageio's message holds ffmpeg's whole banner
        raise BadInput(
            f"{Path(path).name} is not a video ffmpeg can read ({why}). Export it as MP4 and try again."
        ) from None
    return gen, meta


def read_frames(path: str | Path) -> Iterator[np.ndarray]:
    """Decode a clip into RGB uint8 frames, one at a time."""
    gen, meta = _open(path)
    w, h = meta["size"]
    try:
        for buf in gen:
            yield np.frombuffer(buf, np.uint8).reshape(h, w, 3)
    finally:
        gen.close()



def looped_frames(path: str | Path, n: int) -> Iterator[np.ndarray]:
    """`n` frames of a clip at even sizes (`even_size`), looping it when more are asked for than
    it has (a narration longer than the clip)."""
    made = 0
    while made < n:
        got = 0
        for f in read_frames(path):
            yield even_size(f)
            made += 1
            got += 1
            if made >= n:
                return
        if got == 0:
            raise BadInput(f"{path} has no frames.")

# ---------------------------------------------------------------------------------------- writing
_DONE = object()


class VideoWriter:
    """Writes RGB uint8 frames of `size` (w, h) to a clip, optionally with an audio file muxed in.

    `write` hands the frame to a feeder thread that pipes it to ffmpeg, so making frame n+1
    overlaps encoding frame n (OpenCV, numpy and the pipe all release the GIL). With `i420=True`
    (H.264) ffmpeg is fed yuv420p: half the bytes of rgb24, and ffmpeg's single-threaded scaler
    no longer sits in front of x264; producers that have yuv420p frames use `write_i420`, RGB
    frames are converted in the feeder thread (`rgb_to_i420`). It is opt-in because x264's
    frame-to-frame noise differs slightly from ffmpeg's own conversion (tests that compare
    frames of existing pipelines keep their numbers). Use it as a context manager: leaving normally
    finishes the file; an exception (a cancel included) stops ffmpeg and deletes the partial file.
    """

    def __init__(
        self,
        path: str | Path,
        size: tuple[int, int],
        fps: float,
        codec: Codec = "h264",
        crf: int = 12,
        preset: str = "veryfast",
        audio: str | Path | None = None,
        audio_codec: AudioCodec = "aac",
        i420: bool = False,
    ) -> None:
        import imageio_ffmpeg

        w, h = size
        if codec != "ffv1" and (w % 2 or h % 2):
            raise StudioError(f"Video size {w}×{h} must be even for H.264; choose an even size.")
        self.path, self.size, self.frames = Path(path), (int(w), int(h)), 0
        # FFV1 is stored 4:4:4: keep full chroma, pipe RGB
        self.takes_i420 = i420 and codec != "ffv1"
        self._gen = imageio_ffmpeg.write_frames(
            str(self.path), self.size, fps=fps, codec=_VCODEC.get(codec, "libx264"), quality=None,
            macro_block_size=1, pix_fmt_in="yuv420p" if self.takes_i420 else "rgb24",
            pix_fmt_out="yuv444p" if codec == "ffv1" else "yuv420p",
            output_params=encoder_args(codec, crf, preset), ffmpeg_log_level="error",
            audio_path=str(audio) if audio is not None else None,
            audio_codec=audio_codec if audio is not None else None,
        )
        self._gen.send(None)  # start ffmpeg
        self._queue: queue.Queue = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._closed = False
        self._feeder = threading.Thread(target=self._feed, daemon=True, name="ffmpeg-feed")
        self._feeder.start()

    def _feed(self) -> None:
        # one conversion buffer is enough: `send` returns once ffmpeg has the bytes
        i420 = np.empty((self.size[1] * 3 // 2, self.size[0]), np.uint8) if self.takes_i420 else None
        scratch = np.empty((self.size[1] // 2, self.size[0] // 2, 3), np.uint8) if self.takes_i420 else None
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if self._error is None:  # after a failure keep draining so `write` never blocks
                try:
                    frame, is_rgb = item
                    if is_rgb and i420 is not None:
                        frame = rgb_to_i420(frame, i420, scratch)
                    self._gen.send(frame)
                except BaseException as e:  # handed to the caller's thread by `write`/`close`
                    self._error = e

    def _check(self) -> None:
        if self._error is not None:
            raise StudioError(f"ffmpeg stopped while writing {self.path.name}: {self._error}")

    def write(self, rgb: np.ndarray) -> None:
        """Queue one RGB frame (it must be exactly `size`)."""
        self._check()
        w, h = self.size
        if rgb.shape[:2] != (h, w) or rgb.ndim != 3:
            raise StudioError(f"Frame {self.frames} is {rgb.shape[1]}×{rgb.shape[0]}, expected {w}×{h}.")
        self._queue.put((np.ascontiguousarray(rgb, dtype=np.uint8), True))
        self.frames += 1

    def write_i420(self, yuv: np.ndarray) -> None:
        """Queue one yuv420p frame, shape (h * 3 // 2, w) (H.264 only). The writer owns it until
        the feeder has piped it: reuse the buffer only after `queue_depth + 2` more writes."""
        self._check()
        w, h = self.size
        if not self.takes_i420:
            raise StudioError("This writer takes RGB frames (open it with i420=True, H.264 only).")
        if yuv.shape != (h * 3 // 2, w) or yuv.dtype != np.uint8:
            raise StudioError(f"Frame {self.frames} is not a {w}×{h} yuv420p frame.")
        self._queue.put((yuv, False))
        self.frames += 1

    @property
    def queue_depth(self) -> int:
        return self._queue.maxsize

    def _stop(self) -> None:
        self._closed = True
        self._queue.put(_DONE)
        self._feeder.join()
        self._gen.close()  # closes ffmpeg's stdin and waits for it to finish the file

    def close(self) -> None:
        """Finish the clip; raises StudioError (and deletes the file) if ffmpeg failed."""
        if self._closed:
            return
        try:
            self._stop()
        except BaseException:
            self.path.unlink(missing_ok=True)
            raise
        if self._error is not None:
            self.path.unlink(missing_ok=True)
            raise StudioError(f"ffmpeg could not write {self.path.name}: {self._error}")

    def abort(self) -> None:
        """Stop ffmpeg and delete the partial file (after a cancel or a failure)."""
        if not self._closed:
            while True:  # frames still queued would only be encoded to be thrown away
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
            try:
                self._stop()
            except Exception:  # the file is deleted anyway; the caller's exception matters
                pass
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def write_video(
    path: str | Path,
    frames: Iterable[np.ndarray],
    fps: float,
    size: tuple[int, int],
    total: int | None = None,
    codec: Codec = "h264",
    crf: int = 12,
    preset: str = "veryfast",
    audio: str | Path | None = None,
    audio_codec: AudioCodec = "aac",
    ctx: TaskContext | None = None,
    label: str = "Encoding",
) -> int:
    """Write every frame to `path` with a `VideoWriter`; returns the number written.

    With `total`, progress is reported per frame; a cancel stops ffmpeg and leaves no file.
    """
    ctx = ctx or null_context()
    with VideoWriter(path, size, fps, codec, crf, preset, audio, audio_codec) as out:
        for f in frames:
            out.write(f)
            if total:
                ctx.progress(out.frames, total, label)
            else:
                ctx.raise_if_cancelled()
    return out.frames


# ---------------------------------------------------------------------------------- interpolation
def interpolate_args(src: str | Path, dst: str | Path, fps: int, codec: Codec = "h264", crf: int = 12) -> list[str]:
    """ffmpeg command that re-times a clip to `fps` with motion-compensated interpolation."""
    vf = f"minterpolate=fps={int(fps)}:mi_mode=mci:mc_mode=aobmc:me_mode=bidir:vsbmc=1"
    return [ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error", "-i", str(src), "-vf", vf,
            *encoder_args(codec, crf), str(dst)]


def interpolate(src: str | Path, dst: str | Path, fps: int, codec: Codec = "h264", ctx: TaskContext | None = None) -> None:
    """Run ffmpeg minterpolate; cancel kills ffmpeg and removes the partial output."""
    ctx = ctx or null_context()
    # communicate() drains stderr while waiting (a full pipe would stall ffmpeg) and closes it
    with subprocess.Popen(interpolate_args(src, dst, fps, codec), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE) as proc:
        err = b""
        try:
            while True:
                try:
                    err = proc.communicate(timeout=0.25)[1] or b""
                    break
                except subprocess.TimeoutExpired:
                    ctx.raise_if_cancelled()
        except BaseException:
            proc.kill()
            proc.wait()
            Path(dst).unlink(missing_ok=True)
            raise
    if proc.returncode != 0:
        Path(dst).unlink(missing_ok=True)
        lines = err.decode(errors="replace").strip().splitlines()
        why = lines[-1].strip() if lines else f"ffmpeg exit {proc.returncode}"
        raise StudioError(f"Frame interpolation to {fps} fps failed ({why}); make the clip again without --interpolate.")
