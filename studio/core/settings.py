"""User settings: where models and projects live, device preferences, recent projects.

Stored as JSON in the user's config folder (platformdirs). `PERSONA_STUDIO_HOME` puts config,
models and projects under one folder instead (portable installs, tests). Settings are passed
in explicitly; nothing reads a global.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .atomic import atomic_write_json

APP = "persona-studio"


def studio_home() -> Path | None:
    env = os.environ.get("PERSONA_STUDIO_HOME")
    return Path(env).expanduser() if env else None


def config_dir() -> Path:
    home = studio_home()
    if home:
        return home / "config"
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def data_dir() -> Path:
    home = studio_home()
    if home:
        return home / "data"
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def default_projects_dir() -> Path:
    home = studio_home()
    if home:
        return home / "projects"
    import platformdirs

    return Path(platformdirs.user_documents_dir()) / "Persona Studio"


class Settings(BaseModel):
    """Everything the user can set once for all projects."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    models_dir: str = Field(default_factory=lambda: str(data_dir() / "models"))
    extra_model_dirs: list[str] = Field(default_factory=list, description="Folders with loose model files")
    comfyui_dirs: list[str] = Field(default_factory=list, description="ComfyUI installs (their models/ is searched)")
    a1111_dirs: list[str] = Field(default_factory=list, description="AUTOMATIC1111/Forge installs")
    hf_cache: str | None = Field(default=None, description="Hugging Face hub cache; None = HF_HUB_CACHE or default")
    projects_dir: str = Field(default_factory=lambda: str(default_projects_dir()))
    recent_projects: list[str] = Field(default_factory=list)
    device: Literal["auto", "cuda", "cpu"] = "auto"
    onnx_provider: Literal["auto", "cuda", "cpu"] = "auto"
    low_vram: Literal["auto", "on", "off"] = "auto"
    allow_pickle_checkpoints: bool = False
    farm_address: str | None = None
    farm_token_file: str | None = Field(default=None, description="File holding the farm's Ray token (the token "
                                        "itself, if typed, is kept with the user's secrets, not here)")
    farm_allow_unauthenticated: bool = Field(default=False, description="Send jobs to a farm without token "
                                             "authentication (only on a network you trust)")
    farm_tls_cert: str | None = Field(default=None, description="TLS: this computer's certificate (RAY_TLS_SERVER_CERT)")
    farm_tls_key: str | None = Field(default=None, description="TLS: its private key (RAY_TLS_SERVER_KEY)")
    farm_tls_ca: str | None = Field(default=None, description="TLS: the cluster's CA certificate (RAY_TLS_CA_CERT)")
    c2pa_cert: str | None = Field(default=None, description="PEM certificate chain that signs exports (C2PA)")
    c2pa_key: str | None = Field(default=None, description="PEM private key of c2pa_cert")
    # Writing assistant: a local GGUF model (llama-cpp-python) or an OpenAI-compatible endpoint the
    # user runs (Ollama, llama.cpp server, LM Studio). No cloud default: text goes nowhere unless set.
    writer_backend: Literal["local", "endpoint"] = "local"
    writer_model: str = Field(default="qwen2.5-1.5b-instruct-gguf",
                              description="Catalogue id (kind llm) or a .gguf file for the local backend")
    writer_endpoint: str | None = Field(default=None, description="Base URL, e.g. http://127.0.0.1:11434/v1")
    writer_endpoint_model: str = Field(default="", description="Model name the endpoint serves")
    # an endpoint's API key is a secret (studio/core/secrets.py 'writer_api_key'), not a setting

    @classmethod
    def path(cls) -> Path:
        return config_dir() / "settings.json"

    @classmethod
    def load(cls) -> Settings:
        """Read settings; a missing or broken file gives defaults (a broken one is kept aside)."""
        p = cls.path()
        if not p.exists():
            return cls()
        try:
            return cls.model_validate(json.loads(p.read_text("utf-8")))
        except (ValueError, ValidationError):
            p.replace(p.with_suffix(".json.broken"))
            return cls()

    def save(self) -> None:
        atomic_write_json(self.path(), self.model_dump(mode="json"))

    def add_recent(self, project: str | os.PathLike[str], keep: int = 10) -> None:
        p = str(Path(project).resolve())
        self.recent_projects = [p] + [r for r in self.recent_projects if r != p][: keep - 1]

    def hf_cache_dir(self) -> Path:
        if self.hf_cache:
            return Path(self.hf_cache).expanduser()
        env = os.environ.get("HF_HUB_CACHE")
        if env:
            return Path(env).expanduser()
        hf_home = os.environ.get("HF_HOME")
        if hf_home:
            return Path(hf_home).expanduser() / "hub"
        return Path.home() / ".cache" / "huggingface" / "hub"
