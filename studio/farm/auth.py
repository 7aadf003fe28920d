"""Who may use the render farm: Ray token authentication, TLS, and refusing an open cluster.

Anyone who reaches a Ray cluster's client, GCS or dashboard port can run any code on every node
(jobs are cloudpickle), and our job bundles carry a persona's reference faces, voice samples and
scripts. So before this computer sends anything, `check_access` asks the cluster two cheap gRPC
questions (no job, no `ray.init`): does it answer a client *without* a token, and does it accept
*our* token. A cluster that answers strangers is refused unless the user allowed it for a trusted
network (Settings `farm_allow_unauthenticated`, `studio farm connect --allow-unauthenticated`);
a missing or wrong token is a one-line message instead of Ray's 30-second "connection timeout".

The token (Ray >= 2.52, `RAY_AUTH_MODE=token`) comes from, in this order: `RAY_AUTH_TOKEN`,
`RAY_AUTH_TOKEN_PATH`, the token file named in Settings (`farm_token_file`, e.g. a mounted
Kubernetes Secret), or the token saved with the user's secrets (core/secrets.py, mode 0600).
Ray is handed a *file* (RAY_AUTH_TOKEN_PATH), never the value in an environment variable that
child processes and job runtime_envs would inherit. TLS (`RAY_USE_TLS` and its certificate
variables) is Ray's; Settings `farm_tls_*` set those variables for this process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.errors import StudioError
from studio.core.secrets import hint, read_secret, secret_file
from studio.core.settings import Settings

#: the gRPC metadata Ray's own clients send (ray/_private/authentication/authentication_constants.py)
AUTH_HEADER, BEARER = "authorization", "Bearer "
#: seconds the access check waits for a cluster to answer
PROBE_TIMEOUT = 10.0
TLS_VARS = ("RAY_TLS_SERVER_CERT", "RAY_TLS_SERVER_KEY", "RAY_TLS_CA_CERT")
SECURITY_DOC = "docs/farm.md, section Security"


class FarmRefused(StudioError):
    """The farm cannot be used safely or at all: no token, a wrong token, or an open cluster."""


@dataclass(frozen=True)
class FarmToken:
    """A token and where it came from; `path` is a file holding exactly the token (for Ray)."""

    value: str
    source: str
    path: Path | None = None

    def describe(self) -> str:
        return f"the token from {self.source} ({hint(self.value)})"


def farm_token(settings: Settings, typed: str | None = None) -> FarmToken | None:
    """The token this computer shows the farm (see the module docstring for the order);
    `typed`: one typed in the window but not saved yet (Test connection)."""
    if typed and typed.strip():
        return FarmToken(typed.strip(), "the token you gave")
    env = os.environ.get("RAY_AUTH_TOKEN", "").strip()
    if env:
        return FarmToken(env, "RAY_AUTH_TOKEN")
    env_path = os.environ.get("RAY_AUTH_TOKEN_PATH")
    if env_path and env_path in _HANDED:  # set by hand_to_ray earlier in this process, not by the user
        env_path = None
    for source, name in (("RAY_AUTH_TOKEN_PATH", env_path),
                         ("the token file in Settings", settings.farm_token_file)):
        if not name:
            continue
        path = Path(name).expanduser()
        try:
            value = path.read_text("utf-8").strip()
        except OSError as e:
            raise FarmRefused(f"Cannot read the farm token file {path} ({e.strerror or e}). Fix the path "
                              "with `studio farm connect ADDRESS --token-file FILE`.") from None
        if not value:
            raise FarmRefused(f"The farm token file {path} is empty. Put the cluster's token in it "
                              "(`ray get-auth-token` on the head prints it).")
        return FarmToken(value, f"{source} ({path})", path)
    saved = read_secret("farm_token")
    return FarmToken(saved, "your saved farm token", secret_file("farm_token")) if saved else None


@dataclass
class ClusterAccess:
    """What the access check found out about a cluster."""

    address: str
    #: the cluster answers clients that show no token
    open: bool
    #: where our token came from (None: we have none)
    token_source: str | None = None
    tls: bool = False
    #: the user allowed an open cluster (trusted network)
    allowed_open: bool = False
    #: the check could not be made here ('local' clusters this process starts)
    checked: bool = True

    def warning(self) -> str | None:
        """The sentence `studio farm status` and the window show for an open cluster."""
        if not self.open:
            return None
        return (f"The farm at {self.address} runs WITHOUT authentication: anyone who can reach its ports can run "
                "code on every node and read the faces, voices and scripts jobs carry. Start it with "
                f"RAY_AUTH_MODE=token ({SECURITY_DOC})."
                + (" Jobs are sent anyway: you allowed it for a trusted network." if self.allowed_open
                   else " Jobs are refused until then (or until you allow it for a trusted network)."))

    def as_dict(self) -> dict[str, Any]:
        return {"address": self.address, "authentication": "none" if self.open else "token",
                "token": self.token_source, "tls": self.tls, "allowed_unauthenticated": self.allowed_open,
                "checked": self.checked, "warning": self.warning()}


def require_safe(access: ClusterAccess) -> None:
    """Raise the refusal for a cluster that lets anyone in, unless the user allowed that."""
    if access.open and not access.allowed_open:
        raise FarmRefused(
            f"Refusing to send jobs to the farm at {access.address}: it lets in anyone who can reach it (no token "
            "authentication), so any computer on that network could run code on its machines and read the "
            f"faces, voices and scripts the jobs carry. Start the cluster with RAY_AUTH_MODE=token ({SECURITY_DOC}); "
            f"on a network you trust, allow it with `studio farm connect {access.address} --allow-unauthenticated`.")


def tls_env(settings: Settings) -> dict[str, str]:
    """Ray's TLS variables from Settings (farm_tls_cert/key/ca); variables already set win."""
    paths = {"RAY_TLS_SERVER_CERT": settings.farm_tls_cert, "RAY_TLS_SERVER_KEY": settings.farm_tls_key,
             "RAY_TLS_CA_CERT": settings.farm_tls_ca}
    if not any(paths.values()):
        return {}
    missing = [k for k, v in paths.items() if not v]
    if missing:
        raise FarmRefused("TLS for the farm needs a certificate, its key and the CA certificate "
                          "(`studio farm connect ADDRESS --tls-cert FILE --tls-key FILE --tls-ca FILE`).")
    return {"RAY_USE_TLS": "1", **{k: str(Path(v).expanduser()) for k, v in paths.items()}}


def use_tls() -> bool:
    return os.environ.get("RAY_USE_TLS", "0").lower() in ("1", "true")


def _grpc_target(address: str) -> tuple[str, str] | None:
    """(host:port, 'client' | 'gcs') to ask, or None for a cluster this process starts itself."""
    if address == "local":
        return None
    if address.startswith("ray://"):
        return address[len("ray://"):].rstrip("/"), "client"
    if address == "auto":
        from ray._private.services import canonicalize_bootstrap_address

        found = canonicalize_bootstrap_address("auto")
        if not found:
            raise FarmRefused("No Ray cluster runs on this machine ('auto'). Give the head's address: "
                              "`studio farm connect ray://HEAD:10001`.")
        return found, "gcs"
    return address, "gcs"


def _channel(target: str) -> Any:
    import grpc

    if use_tls():
        from ray._common.tls_utils import load_certs_from_env

        try:
            cert, key, ca = load_certs_from_env()
        except (RuntimeError, OSError) as e:
            raise FarmRefused(f"TLS for the farm is on (RAY_USE_TLS) but its certificates cannot be read: {e}") from None
        return grpc.secure_channel(target, grpc.ssl_channel_credentials(ca, key, cert))
    return grpc.insecure_channel(target)


def _ask(target: str, kind: str, token: str | None, timeout: float) -> tuple[str, str]:
    """('ok' | 'unauthenticated' | 'unreachable', detail): one cheap RPC, with or without a token."""
    import grpc

    meta = [(AUTH_HEADER, BEARER + token)] if token else None
    channel = _channel(target)
    try:
        if kind == "client":
            from ray.core.generated import ray_client_pb2, ray_client_pb2_grpc

            req = ray_client_pb2.ClusterInfoRequest(type=ray_client_pb2.ClusterInfoType.PING)
            ray_client_pb2_grpc.RayletDriverStub(channel).ClusterInfo(req, timeout=timeout, metadata=meta)
        else:
            from ray.core.generated import gcs_service_pb2, gcs_service_pb2_grpc

            req = gcs_service_pb2.GetClusterIdRequest()
            gcs_service_pb2_grpc.NodeInfoGcsServiceStub(channel).GetClusterId(req, timeout=timeout, metadata=meta)
        return "ok", ""
    except grpc.RpcError as e:
        if e.code() == grpc.StatusCode.UNAUTHENTICATED:
            return "unauthenticated", e.details() or ""
        return "unreachable", f"{e.code().name}: {e.details() or ''}".strip()
    finally:
        channel.close()


def check_access(address: str, settings: Settings, token: FarmToken | None = None, *,
                 refuse_open: bool = True, timeout: float = PROBE_TIMEOUT,
                 connected_gcs: str | None = None) -> ClusterAccess:
    """Ask the cluster at `address` who it lets in (see the module docstring).

    Raises FarmRefused (one line, what to do) when it cannot be reached, wants a token we lack,
    refuses ours, or — with `refuse_open` and no trusted-network allowance — lets anyone in.
    `connected_gcs`: this process is already connected through that GCS address, which proves
    its token; only whether strangers get in is asked."""
    target = (connected_gcs, "gcs") if connected_gcs else _grpc_target(address)
    allowed = settings.farm_allow_unauthenticated
    if target is None:
        return ClusterAccess(address, open=False, token_source=token.source if token else None,
                             tls=use_tls(), allowed_open=allowed, checked=False)
    where, kind = target
    state, detail = _ask(where, kind, None, timeout)
    if state == "unreachable":
        raise FarmRefused(
            f"Cannot reach the Ray cluster at {address} ({detail}). Is the head running and its port open to "
            "this computer? See docs/farm.md." + (" TLS is on here (RAY_USE_TLS): the cluster must use it too."
                                                  if use_tls() else ""))
    access = ClusterAccess(address, open=state == "ok", token_source=token.source if token else None,
                           tls=use_tls(), allowed_open=allowed)
    if access.open:
        if refuse_open:
            require_safe(access)
        return access
    if connected_gcs:
        return access
    if token is None:
        raise FarmRefused(
            f"The farm at {address} lets in only clients with its token (Ray token authentication), and this "
            "computer has none. Print it on the head with `ray get-auth-token` (KubeRay: the cluster's Secret), "
            f"then run `studio farm connect {address} --token-file FILE` or paste it in Settings → Render farm.")
    state, detail = _ask(where, kind, token.value, timeout)
    if state == "unauthenticated":
        raise FarmRefused(
            f"The farm at {address} refused {token.describe()}: it is not the cluster's token. Copy the current one "
            f"(`ray get-auth-token` on the head) and run `studio farm connect {address} --token-file FILE`.")
    if state == "unreachable":
        raise FarmRefused(f"The farm at {address} stopped answering ({detail}). Try again; see docs/farm.md.")
    return access


#: RAY_AUTH_TOKEN_PATH values this process set itself (they are not the user's choice)
_HANDED: set[str] = set()


def _private_file(value: str) -> Path:
    """A token typed in the window but not saved: a 0600 temp file, deleted when the process ends."""
    import atexit
    import tempfile

    fd, name = tempfile.mkstemp(prefix="studio-farm-token-")  # mkstemp creates it 0600
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value)
    atexit.register(lambda: Path(name).unlink(missing_ok=True))
    return Path(name)


def hand_to_ray(token: FarmToken | None, settings: Settings) -> None:
    """Set up this process so `ray.init` shows `token` (and uses TLS if configured).

    Ray reads RAY_AUTH_MODE / RAY_AUTH_TOKEN_PATH once and caches them in C++; they are refreshed
    here because the window may connect again with another token after a failed try."""
    for k, v in tls_env(settings).items():
        os.environ.setdefault(k, v)
    if token is None:
        return
    os.environ["RAY_AUTH_MODE"] = "token"
    if token.source != "RAY_AUTH_TOKEN":  # an inherited RAY_AUTH_TOKEN is the user's own choice
        path = token.path or _private_file(token.value)
        os.environ["RAY_AUTH_TOKEN_PATH"] = str(path)
        _HANDED.add(str(path))
    try:
        from ray._raylet import AuthenticationTokenLoader, Config

        Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()
    except (ImportError, AttributeError):  # a Ray without token authentication (< 2.52)
        raise FarmRefused("This Ray has no token authentication: install ray[default]>=2.52 "
                          "(`pip install 'persona-studio[farm]'`).") from None
