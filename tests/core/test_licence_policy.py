"""The commercial-safe switch's central check: a restricted ModelStore (what every job's context
gets for a commercial-safe persona) neither finds, requires nor records a non-commercial model,
and its refusal names a commercial alternative."""

from __future__ import annotations

import pytest

from studio.actions.context import JobContext
from studio.core.licence_policy import LicencePolicy, NotCommercial, persona_conflicts, policy_for
from studio.core.model_catalog import catalog_by_id
from studio.core.models import ModelStore
from studio.core.project import Project
from studio.core.settings import Settings


def _store_with(tmp_path, *ids: str) -> ModelStore:
    """A store whose extra folder holds a placeholder file for each catalogue id."""
    folder = tmp_path / "models"
    folder.mkdir(exist_ok=True)
    cat = catalog_by_id()
    for mid in ids:
        (folder / cat[mid].filename).write_bytes(b"x")
    return ModelStore(Settings(models_dir=str(tmp_path / "store"), extra_model_dirs=[str(folder)]))


def test_a_restricted_store_hides_requires_and_records_only_commercial_models(tmp_path):
    store = _store_with(tmp_path, "inswapper_128", "buffalo_l-rec", "wav2lip_gan_96")
    assert store.find("inswapper_128") is not None
    safe = store.restricted(LicencePolicy("Mara"))
    assert safe.policy and store.policy is None  # the original store is untouched
    # automatic choices (find) do not see it...
    assert safe.find("inswapper_128") is None and safe.find("buffalo_l-rec") is None
    assert safe.find("dlib-face-models") is not None  # embedded, CC0
    # ...an explicit one is refused with the alternative and its download command
    with pytest.raises(NotCommercial) as e:
        safe.require("inswapper_128", purpose="Face swap")
    msg = str(e.value)
    assert "inswapper_128 is non-commercial" in msg and "'Mara' is set to commercial-safe" in msg
    assert "use flux2-klein-4b (`studio models download flux2-klein-4b`)" in msg
    assert e.value.exit_code == 2 and e.value.alternative == "flux2-klein-4b"
    with pytest.raises(NotCommercial, match="use musetalk-1.5"):
        safe.check("wav2lip_gan_96", "Lip-sync")
    # the provenance record is the backstop: a pipeline that forgot to ask cannot record it
    with pytest.raises(NotCommercial, match="buffalo_l-rec is non-commercial"):
        safe.use("buffalo_l-rec", "identity check")
    with pytest.raises(NotCommercial, match="no known licence"):
        safe.use("my-model.safetensors", "checkpoint", outside=True)
    assert safe.use("dlib-face-models", "identity").commercial_use is True
    assert safe.refusal_reason("codeformer").startswith("codeformer is non-commercial (S-Lab")
    assert safe.refusal_reason("wan2.2-ti2v-5b") is None
    with pytest.raises(NotCommercial, match="--no-restore"):  # no commercial restorer exists
        safe.check("gfpgan-1.4")


def test_every_non_commercial_catalogue_model_is_refused_with_an_alternative():
    """A new non-commercial entry needs a commercial alternative (or advice) in ALTERNATIVES,
    or a commercial model of its own kind, so the refusal always says what to use."""
    safe = ModelStore(Settings()).restricted(LicencePolicy("Mara"))
    for e in safe.entries():
        if e.commercial_use:
            safe.check(e.id)
            continue
        with pytest.raises(NotCommercial) as err:
            safe.check(e.id)
        assert err.value.alternative or "(`--" in str(err.value) or "`studio" in str(err.value), e.id
        if err.value.alternative:
            assert safe.entry(err.value.alternative).commercial_use is True, e.id


def test_the_job_context_of_a_commercial_safe_persona_gets_the_restricted_store(tmp_path):
    with Project.create(tmp_path, "Ava") as p:
        settings = Settings()
        assert JobContext.for_project(p, settings).store.policy is None
        p.update_persona(commercial_safe=True)
        ctx = JobContext.for_project(p, settings)
        assert ctx.store.policy == policy_for(p.persona) == LicencePolicy("Ava")
        assert ctx.sub(0.0, 0.5).store.policy == ctx.store.policy
    with Project.open(tmp_path / "Ava.persona", read_only=True) as p:  # saved with the project
        assert p.persona.commercial_safe is True


def test_persona_conflicts_name_its_own_non_commercial_settings(tmp_path):
    with Project.create(tmp_path, "Ava") as p:
        cat = catalog_by_id()
        assert persona_conflicts(p.persona, cat) == []
        voice = p.persona.voice.model_copy(update={"engine": "xtts", "voice_id": "xtts-v2"})
        p.update_persona(voice=voice, checkpoint="/models/mine.safetensors")
        found = {(s, m) for s, m, _ in persona_conflicts(p.persona, cat)}
        assert found == {("voice", "xtts-v2"), ("checkpoint", "/models/mine.safetensors")}


def test_studio_persona_set_and_show(tmp_path):
    import contextlib
    import io
    import json

    from studio.cli.main import main

    def cli(*args: str) -> tuple[int, str]:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            rc = main([str(a) for a in args])
        return rc, buf.getvalue()

    Project.create(tmp_path, "Ava").close()
    proj = tmp_path / "Ava.persona"
    rc, out = cli("persona", "set", proj, "--commercial-safe", "on")
    assert rc == 0 and "commercial-safe on" in out
    rc, out = cli("persona", "show", proj, "--json")
    assert json.loads(out)["commercial_safe"] is True and json.loads(out)["conflicts"] == []
    assert cli("persona", "set", proj, "--commercial-safe", "perhaps")[0] == 2
    rc, out = cli("persona", "set", proj, "--commercial-safe", "off")
    assert rc == 0
    with Project.open(proj, read_only=True) as p:
        assert p.persona.commercial_safe is False
