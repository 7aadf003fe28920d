"""Load, place and keep the newer diffusers pipelines (FLUX.2 [klein], Z-Image, Wan 2.2).

- Loading: a diffusers folder, offline (`local_files_only`), safetensors only (a folder of
  pickles is refused instead of silently unpickled), in the plan's dtype (a per-component dict
  where the VAE stays float32, as Wan's authors advise).
- Placement (`place`): all on the device, model CPU offload (optionally with the transformer
  stored in fp8), or group offload of every component but the VAE (leaf level, CUDA streams),
  then VAE tiling; the plan comes from pipelines/device.py.
- Variants (inpaint, img2img, image-to-video) are built from the loaded components, never loaded
  twice. Model offload hooks belong to one pipeline object, so switching variant re-applies the
  placement; group offload hooks live on the modules and serve every variant.
- Loaded models stay in the process-wide model cache (pipelines/model_cache.py: one policy for
  SDXL, SVD and these, which weigh 16–34 GB) for the next job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.device import ModelPlan
from pipelines.loading import dtype_kwarg, quiet_libraries
from pipelines.model_cache import FamilyCache
from studio.core.errors import BadInput, StudioError


def diffusers_class(name: str) -> Any:
    """The diffusers pipeline class `name`, or a clear error on a diffusers too old to have it."""
    import diffusers

    cls = getattr(diffusers, name, None)
    if cls is None:
        raise StudioError(
            f"The installed diffusers {diffusers.__version__} has no {name}. Reinstall Persona Studio "
            "(`make install`) to get the diffusers version it is tested with."
        )
    return cls


def pipeline_class_of(folder: Path) -> str | None:
    """The `_class_name` in a diffusers folder's model_index.json (None when there is none)."""
    import json

    try:
        return json.loads((Path(folder) / "model_index.json").read_text("utf-8")).get("_class_name")
    except (OSError, ValueError):
        return None


def load_pipeline(folder: Path, cls_name: str, plan: ModelPlan) -> Any:
    """`cls_name.from_pretrained(folder)` offline, safetensors only, in the plan's dtype, placed."""
    cls = diffusers_class(cls_name)
    folder = Path(folder)
    if not (folder / "model_index.json").is_file():
        raise BadInput(f"{folder} is not a diffusers model folder (it has no model_index.json).")
    quiet_libraries()
    kwargs = {dtype_kwarg(): plan.load_dtype(), "local_files_only": True, "use_safetensors": True}
    try:
        pipe = cls.from_pretrained(str(folder), **kwargs)
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        first = str(e).splitlines()[0][:300] if str(e) else type(e).__name__
        raise StudioError(
            f"Could not load {folder.name} as {cls_name}: {first}. Check that the download is complete "
            "(`studio models verify`); a folder with only .bin (pickle) weights is refused."
        ) from e
    place(pipe, plan)
    return pipe


def place(pipe: Any, plan: ModelPlan) -> None:
    """Put a pipeline's components where the plan says, then tile its VAE if asked."""
    import torch

    if plan.fp8:  # the transformer's weights as float8, computed in the plan's dtype (before hooks move it)
        pipe.transformer.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=plan.torch_dtype())
    if plan.offload == "model":
        pipe.enable_model_cpu_offload(device=plan.device)
    elif plan.offload == "group":
        pipe.enable_group_offload(onload_device=torch.device(plan.device), offload_device=torch.device("cpu"),
                                  offload_type="leaf_level", use_stream=plan.device == "cuda",
                                  exclude_modules=["vae"])
    else:
        pipe.to(plan.device)
    vae = getattr(pipe, "vae", None)
    if vae is not None and hasattr(vae, "use_tiling"):
        if plan.vae_tiling:
            vae.enable_tiling()
        else:
            vae.disable_tiling()
    pipe.set_progress_bar_config(disable=True)


@dataclass
class LoadedModel:
    """One loaded model folder and the pipeline variant in use on its components."""

    folder: Path
    plan: ModelPlan
    base: Any
    _current: Any = None
    _variants: dict[str, Any] = field(default_factory=dict)

    def pipeline(self, cls_name: str, **extra: Any) -> Any:
        """The pipeline `cls_name` on the loaded components (built once per class).

        `extra`: constructor arguments that are config, not components (e.g. Wan's
        `expand_timesteps`), copied from the loaded pipeline's config when not given.
        """
        if type(self.base).__name__ == cls_name and not extra:
            pipe = self.base
        else:
            pipe = self._variants.get(cls_name)
            if pipe is None:
                cls = diffusers_class(cls_name)
                pipe = cls(**self.base.components, **extra)
                pipe.set_progress_bar_config(disable=True)
                self._variants[cls_name] = pipe
        if pipe is not self._current and self.plan.offload == "model" and self._current is not None:
            pipe.enable_model_cpu_offload(device=self.plan.device)  # hooks follow the pipeline in use
        self._current = pipe
        return pipe


class ModelCache(FamilyCache):
    """The DiT family's view of the process-wide model cache (pipelines/model_cache.py, one
    policy for every large model): loaded models by (folder, class, plan)."""

    family = "dit"

    def get(self, folder: Path, cls_name: str, plan: ModelPlan) -> LoadedModel:
        def load() -> LoadedModel:
            hit = LoadedModel(Path(folder), plan, load_pipeline(Path(folder), cls_name, plan))
            hit._current = hit.base
            return hit

        return self._get((str(Path(folder).resolve()), cls_name, plan), load)


_SHARED = ModelCache()


def shared_models() -> ModelCache:
    """The DiT models every job in this process uses (CLI run, the window's job process, farm worker)."""
    return _SHARED
