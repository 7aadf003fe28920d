"""Where the window's jobs run: a child process by default (studio/farm/local.py: the farm's
bundle and verified results, without Ray), the Ray farm when "Run on farm" is on (Settings ▸
Render farm), and the worker thread for kinds that do not travel as a bundle."""

from __future__ import annotations

import os

from studio.core.errors import StudioError
from studio.core.jobs import JobState
from studio.core.settings import Settings


def _wait_job(qtbot, window, job_id, timeout=90000):
    with qtbot.waitSignal(window.jobs.finished, timeout=timeout, check_params_cb=lambda j: j.id == job_id) as sig:
        pass
    return sig.args[0]


def test_jobs_run_in_a_reused_child_process_and_land_verified_assets(window, demo_project, qtbot):
    project = window.open_project(demo_project)
    assert window.jobs.where("narrate") == "process" and window.jobs.where("faces.add") == "thread"
    voice = window.panel("voice")
    pids = []
    for text in ("First take.", "Second take."):
        voice.script.setPlainText(text)
        job = _wait_job(qtbot, window, voice.start_narration())
        assert job.state == JobState.done, job.error
        pids.append(window.jobs.processes().processes[0].pid)
        take = project.asset(job.result["assets"][0])
        assert project.asset_path(take).exists() and project.sidecar(take, ".words.json").exists()
        assert take.provenance.model_dump()["ran_in"]["executor"] == "local process"  # landed by results.py
        assert take.provenance.pipeline == "narration" and take.provenance.engine.startswith("Piper")
    assert pids[0] == pids[1] != os.getpid()  # one child, reused: its imports stay warm
    assert window.jobs.processes().processes[0].jobs == 2
    assert len(project.assets_of("narration")) == 2
    assert not list(project.path.glob(".staging/*"))


def test_a_failing_job_in_the_child_keeps_its_message_and_exit_code(window, demo_project, qtbot):
    project = window.open_project(demo_project)
    job_id = window.jobs.start(project, "motion.animate", {"still": "no-such-asset"}, "bad still")
    job = _wait_job(qtbot, window, job_id)
    assert job.state == JobState.failed and job.error_code == 2, (job.error, job.error_code)
    assert "no-such-asset" in job.error and "farm worker" not in job.error


def test_settings_round_trip_the_farm_address_and_show_the_jobs_toggle(window):
    dock = window.jobs_dock
    assert not dock.farm_toggle.isVisibleTo(dock) and window.jobs.farm is None
    dlg = window.open_settings()
    dlg.farm_address.setText("  ray://10.0.0.5:10001 ")
    dlg.accept()
    assert Settings.load().farm_address == "ray://10.0.0.5:10001"
    assert dock.farm_toggle.isVisibleTo(dock) and "10.0.0.5" in dock.farm_toggle.text()
    assert window.jobs.farm is None  # shown, but off until the user turns it on
    dock.farm_toggle.setChecked(True)
    assert window.jobs.farm == "ray://10.0.0.5:10001"
    assert window.jobs.where("generate") == "farm" and window.jobs.where("faces.add") == "thread"
    again = window.open_settings()
    assert again.farm_address.text() == "ray://10.0.0.5:10001"
    again.farm_address.setText("")
    again.accept()
    assert Settings.load().farm_address is None
    assert not dock.farm_toggle.isVisibleTo(dock) and window.jobs.farm is None


def test_test_connection_runs_off_the_window_thread_and_shows_nodes_or_the_error(window, qtbot, monkeypatch):
    import threading

    from studio.gui import settings_dialog

    calls = []

    def status(address, settings, token=None):  # the studio.farm.pool boundary: connect + cluster_status
        calls.append((address, threading.current_thread() is threading.main_thread()))
        if address.endswith(":1"):
            raise StudioError(f"Cannot reach the Ray cluster at {address}.")
        return {"nodes": [{"host": "gpu-a", "cpus": 16, "gpus": 2, "models": [{"id": "svd"}]},
                          {"host": "gpu-b", "cpus": 8, "gpus": 1, "error": "ModuleNotFoundError: studio"}],
                "workers": []}

    monkeypatch.setattr(settings_dialog, "farm_status", status)
    dlg = window.open_settings()
    assert dlg.test_farm() is None and "address" in dlg.farm_result.text()  # nothing typed
    dlg.farm_address.setText("ray://head:10001")
    dlg.test_farm()
    assert not dlg.test_button.isEnabled()
    qtbot.waitUntil(lambda: dlg.test_button.isEnabled(), timeout=5000)
    text = dlg.farm_result.text()
    assert text.startswith("Connected: 2 node(s), 3 GPU(s), 24 CPU(s).")
    assert "gpu-a: 2 GPU, 16 CPU — 1 model(s) installed" in text and "ModuleNotFoundError" in text
    dlg.farm_address.setText("ray://head:1")
    dlg.test_farm()
    qtbot.waitUntil(lambda: dlg.test_button.isEnabled(), timeout=5000)
    assert dlg.farm_result.text() == "Cannot reach the Ray cluster at ray://head:1."
    assert calls == [("ray://head:10001", False), ("ray://head:1", False)]
    dlg.reject()


def test_farm_token_is_a_secret_and_an_open_farm_is_a_warning(window, qtbot, monkeypatch):
    import json
    import stat

    from studio.core.secrets import read_secret, secret_file
    from studio.gui import settings_dialog

    seen = []

    def status(address, settings, token=None):  # what connect() reports for a cluster without auth
        seen.append((token, settings.farm_allow_unauthenticated))
        warning = "The farm at ray://head:10001 runs WITHOUT authentication: anyone …"
        return {"access": {"warning": warning, "checked": True}, "nodes": [], "workers": []}

    monkeypatch.setattr(settings_dialog, "farm_status", status)
    dlg = window.open_settings()
    dlg.farm_address.setText("ray://head:10001")
    dlg.farm_token.setText("tok-0123456789")
    assert dlg.farm_token.echoMode() == dlg.farm_token.EchoMode.Password
    dlg.test_farm()
    qtbot.waitUntil(lambda: dlg.test_button.isEnabled(), timeout=5000)
    assert seen == [("tok-0123456789", False)]  # the typed, unsaved token is what the test uses
    assert dlg.farm_result.text().startswith("⚠ The farm at ray://head:10001 runs WITHOUT authentication")
    assert dlg.farm_result.property("role") == "badge-warn"
    dlg.farm_open.setChecked(True)
    dlg.accept()
    assert read_secret("farm_token") == "tok-0123456789"
    assert stat.S_IMODE(secret_file("farm_token").stat().st_mode) == 0o600
    saved = Settings.load()
    assert saved.farm_allow_unauthenticated is True
    assert "tok-0123456789" not in json.dumps(saved.model_dump())
    again = window.open_settings()
    assert again.farm_token.text() == "" and "…6789" in again.farm_token.placeholderText()
    again._forget_token()
    assert read_secret("farm_token") is None
    again.reject()


def test_a_job_started_with_run_on_farm_goes_through_run_job_with_the_address(window, demo_project, qtbot, monkeypatch):
    from studio.farm import run

    window.settings.farm_address = "ray://head:10001"
    window.jobs_dock.update_farm()
    window.jobs_dock.farm_toggle.setChecked(True)
    window.open_project(demo_project)
    seen = {}

    def unreachable_farm(project_, kind, params, settings, **kw):  # what run_job does when Ray cannot connect
        seen.update(kind=kind, params=params, settings=settings, **kw)
        raise StudioError(f"Cannot reach the Ray cluster at {kw['farm']}.")

    monkeypatch.setattr(run, "run_job", unreachable_farm)
    voice = window.panel("voice")
    voice.script.setPlainText("On the farm.")
    job_id = voice.start_narration()
    job = _wait_job(qtbot, window, job_id)
    assert seen["farm"] == "ray://head:10001" and seen["kind"] == "narrate" and seen["job"].id == job_id
    assert seen["params"]["text"] == "On the farm." and seen["ctx"] is not None
    assert seen["settings"].farm_address == "ray://head:10001"  # the window's settings, handed in
    # the queued job is failed with the farm's message, not left queued forever
    assert job.state == JobState.failed and "Cannot reach the Ray cluster" in job.error
    window.jobs_dock.refresh()
    assert window.jobs_dock.rows[job_id].state.text() == "failed"


def test_hugging_face_token_is_a_secret_used_by_downloads(window, qtbot):
    import json
    import stat

    from studio.core.hf_token import current_token
    from studio.core.secrets import read_secret, secret_file

    dlg = window.open_settings()
    assert dlg.hf_token.echoMode() == dlg.hf_token.EchoMode.Password
    dlg.hf_token.setText("hf_abcdef123456")
    dlg.accept()
    assert read_secret("hf_token") == "hf_abcdef123456"
    assert stat.S_IMODE(secret_file("hf_token").stat().st_mode) == 0o600
    assert "hf_abcdef123456" not in json.dumps(Settings.load().model_dump())
    assert current_token().source == "settings"  # what `studio models download` sends
    again = window.open_settings()
    assert again.hf_token.text() == "" and "…3456" in again.hf_token.placeholderText()
    again.forget_hf_token.click()
    assert read_secret("hf_token") is None and current_token() is None
    again.reject()
