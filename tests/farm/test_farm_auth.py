"""Who may use the farm (issue 22): a real local Ray head with token authentication, and one
without. The CLI runs in its own processes (Ray's connection and token are process-wide):

- no token / a wrong token: a one-line message at once, no traceback, no 30 s Ray timeout;
- the right token (`studio farm connect --token-file`): a job runs on the farm, and the token
  is nowhere in the project, its job files, the settings or anything the CLI printed;
- the worker keeps nothing of a finished job;
- a cluster without authentication: `studio farm status` warns, jobs are refused.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytest.importorskip("ray")

ROOT = Path(__file__).resolve().parents[2]
RAY = Path(sys.executable).with_name("ray")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _head(tmp: Path, auth: dict[str, str]) -> tuple[subprocess.Popen, str, Path]:
    """`ray start --head --block` with `auth` in its environment; (process, ray:// address, its
    workers' temp folder). Its own temp dir and ports: nothing is shared with other tests."""
    gcs, client = _free_port(), _free_port()
    worker_tmp = tmp / "worker-tmp"
    worker_tmp.mkdir(parents=True)
    env = {**os.environ, **auth, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "TMPDIR": str(worker_tmp),
           "PERSONA_STUDIO_HOME": str(tmp / "worker-home"), "HF_HUB_OFFLINE": "1", "RAY_USAGE_STATS_ENABLED": "0",
           # a busy 2-core runner starts the per-client server slower than Ray's 30 s default
           "RAY_CLIENT_SERVER_CHECK_CHANNEL_TIMEOUT_S": "120"}
    env.pop("RAY_ADDRESS", None)
    log = open(tmp / "head.log", "w")  # noqa: SIM115 - closed with the process
    # Ray's sockets live under its temp dir and a socket path has at most 107 bytes: a short one
    ray_tmp = tempfile.mkdtemp(prefix="sfa-", dir="/tmp")
    proc = subprocess.Popen(
        [str(RAY), "start", "--head", "--block", f"--port={gcs}", f"--ray-client-server-port={client}",
         "--node-ip-address=127.0.0.1", "--num-cpus=1", "--include-dashboard=false",
         f"--temp-dir={ray_tmp}", "--disable-usage-stats"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proc.ray_tmp = ray_tmp  # type: ignore[attr-defined] - removed by _stop
    address = f"ray://127.0.0.1:{client}"
    end = time.monotonic() + 120
    while time.monotonic() < end:  # the client server answers once the head is up
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", client)) == 0:
                time.sleep(1.0)
                return proc, address, worker_tmp
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    _stop(proc)
    pytest.skip(f"the Ray head did not start here: {(tmp / 'head.log').read_text()[-500:]}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop the head and everything it started (its own process group: only what we started)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    time.sleep(1.0)
    try:  # whatever of the group outlived `ray start` (raylet, workers)
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=15)
    shutil.rmtree(getattr(proc, "ray_tmp", ""), ignore_errors=True)


@pytest.fixture(scope="module")
def token_farm(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("token-farm")
    token = "tok-" + secrets.token_hex(16)
    proc, address, worker_tmp = _head(tmp, {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": token})
    yield {"address": address, "token": token, "worker_tmp": worker_tmp, "tmp": tmp}
    _stop(proc)


@pytest.fixture(scope="module")
def open_farm(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("open-farm")
    proc, address, _ = _head(tmp, {"RAY_AUTH_MODE": "disabled"})
    yield address
    _stop(proc)


def _studio(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PERSONA_STUDIO_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    for k in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH", "RAY_ADDRESS"):
        env.pop(k, None)
    env["HOME"] = str(home)  # no ~/.ray/auth_token of this machine's user
    return subprocess.run([sys.executable, "-m", "studio.cli.main", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=timeout)


def _one_line(r: subprocess.CompletedProcess) -> str:
    err = r.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def test_token_farm_lets_in_only_the_right_token_and_the_token_stays_secret(token_farm, tmp_path):
    home = tmp_path / "home"
    address, token = token_farm["address"], token_farm["token"]
    t0 = time.monotonic()
    none = _studio(home, "farm", "connect", address)
    assert none.returncode == 1 and "has none" in _one_line(none) and "--token-file" in none.stderr
    wrong = _studio(home, "farm", "connect", address, "--token", "tok-wrong")
    assert wrong.returncode == 1 and "refused the token" in _one_line(wrong)
    assert time.monotonic() - t0 < 25  # not Ray's 30 s "connection timeout" each
    token_file = tmp_path / "ray-token"
    token_file.write_text(token + "\n")
    ok = _studio(home, "farm", "connect", address, "--token-file", token_file)
    assert ok.returncode == 0, ok.stderr
    assert "authentication: token" in ok.stdout and "WITHOUT" not in ok.stderr

    from studio.core.project import Project

    with Project.create(tmp_path, "Mara"):
        pass
    project = tmp_path / "Mara.persona"
    job = _studio(home, "narrate", project, "Hello from the farm, with a token.", "--farm", "default", "--json")
    assert job.returncode == 0, job.stderr
    import json

    result = json.loads(job.stdout)
    assert result["farm"]["address"] == address and result["assets"]

    # the token is in no project file, job file, setting or anything the CLI printed
    printed = "".join(r.stdout + r.stderr for r in (none, wrong, ok, job))
    assert token not in printed
    for root in (project, home):
        for f in root.rglob("*"):
            if f.is_file() and f != token_file:
                assert token.encode() not in f.read_bytes(), f
    settings = json.loads((home / "config" / "settings.json").read_text())
    assert settings["farm_token_file"] == str(token_file.resolve()) and "token" not in settings.get("farm_address", "")

    # the worker kept nothing of the finished job
    left = [p.name for p in token_farm["worker_tmp"].iterdir() if p.name.startswith("studio-")]
    assert left == [], left


def test_a_typed_token_is_saved_readable_by_the_user_only(token_farm, tmp_path):
    import stat

    home = tmp_path / "home"
    r = _studio(home, "farm", "connect", token_farm["address"], "--token", token_farm["token"])
    assert r.returncode == 0, r.stderr
    secret = home / "config" / "farm_token"
    assert secret.read_text() == token_farm["token"] and stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert token_farm["token"] not in (home / "config" / "settings.json").read_text()


def test_a_farm_without_authentication_is_a_warning_and_gets_no_jobs(open_farm, tmp_path):
    home = tmp_path / "home"
    status = _studio(home, "farm", "status", "--farm", open_farm)
    assert status.returncode == 0, status.stderr
    assert "WITHOUT authentication" in status.stderr and "RAY_AUTH_MODE=token" in status.stderr
    from studio.core.project import Project

    with Project.create(tmp_path, "Mara"):
        pass
    job = _studio(home, "narrate", tmp_path / "Mara.persona", "Hello.", "--farm", open_farm)
    assert job.returncode == 1 and "Refusing to send jobs" in _one_line(job)
    assert "--allow-unauthenticated" in job.stderr
    with Project.open(tmp_path / "Mara.persona", read_only=True) as p:
        assert p.data.assets == [] and not list((p.path / "jobs").glob("job-*.json"))  # nothing was queued


def test_a_dead_workers_job_folder_is_swept_by_the_next_worker(tmp_path):
    from studio.farm.worker import TMP_PREFIX, sweep_leftovers

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    gone = tmp_path / f"{TMP_PREFIX}{dead.pid}-abc"
    (gone / "job.persona" / "refs").mkdir(parents=True)
    (gone / "job.persona" / "refs" / "face.jpg").write_bytes(b"a face")
    alive = tmp_path / f"{TMP_PREFIX}{os.getppid()}-def"  # a running worker's folder stays
    alive.mkdir()
    other = tmp_path / "something-else"
    other.mkdir()
    assert sweep_leftovers(str(tmp_path)) == [gone.name]
    assert not gone.exists() and alive.exists() and other.exists()
