"""`studio farm connect|status` and `studio batch` (many posts, on the render farm or here)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from .common import FARM, console, load_settings, out, print_json

farm_app = typer.Typer(help="The render farm: run jobs on a Ray cluster of GPU machines (docs/farm.md).",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(farm_app, name="farm")
    app.command("batch")(batch)


@farm_app.command("connect")
def connect(
    address: str = typer.Argument(..., help="ray://HEAD:10001 (Ray Client) or 'auto' (on a cluster node)."),
    token: str = typer.Option(None, "--token", help="The cluster's Ray token (`ray get-auth-token` on the head); "
                              "'-' reads it from stdin. Kept with your secrets (mode 0600), never in a project or log."),
    token_file: Path = typer.Option(None, "--token-file", help="A file holding the token (e.g. a mounted KubeRay "
                                    "Secret); its path is saved, read at each connect."),
    allow_unauthenticated: bool = typer.Option(
        None, "--allow-unauthenticated/--require-token",
        help="Send jobs to a cluster without token authentication (only on a network you trust)."),
    tls_cert: Path = typer.Option(None, "--tls-cert", help="TLS: this computer's certificate (RAY_TLS_SERVER_CERT)."),
    tls_key: Path = typer.Option(None, "--tls-key", help="TLS: its private key (RAY_TLS_SERVER_KEY)."),
    tls_ca: Path = typer.Option(None, "--tls-ca", help="TLS: the cluster's CA certificate (RAY_TLS_CA_CERT)."),
    json_out: bool = typer.Option(False, "--json", help="Print the cluster as JSON."),
) -> None:
    """Check that the cluster answers and lets this computer in, then save it as the `--farm default`."""
    import sys

    from studio.core.errors import BadInput
    from studio.core.secrets import save_secret
    from studio.farm.pool import access_of, cluster_status
    from studio.farm.pool import connect as ray_connect

    if token is not None and token_file is not None:
        raise BadInput("Give the token with --token or --token-file, not both.")
    if token == "-":
        token = sys.stdin.readline()
    if token is not None and not token.strip():
        raise BadInput("The token is empty. Print it on the head with `ray get-auth-token`.")
    if token_file is not None and not token_file.expanduser().is_file():
        raise BadInput(f"No token file at {token_file}.")
    settings = load_settings()
    trial = settings.model_copy(deep=True)  # saved only once the cluster let us in
    if token_file is not None:
        trial.farm_token_file = str(token_file.expanduser().resolve())
    elif token is not None:
        trial.farm_token_file = None  # a typed token replaces a token file
    if allow_unauthenticated is not None:
        trial.farm_allow_unauthenticated = allow_unauthenticated
    for field, value in (("farm_tls_cert", tls_cert), ("farm_tls_key", tls_key), ("farm_tls_ca", tls_ca)):
        if value is not None:
            setattr(trial, field, str(value.expanduser().resolve()))
    ray_connect(address, trial, token=token)
    status = cluster_status()
    trial.farm_address = address
    trial.save()
    if token is not None:
        save_secret("farm_token", token)
    access = access_of(address)
    if json_out:
        print_json({"address": address, "access": access.as_dict() if access else None, **status})
        return
    gpus = sum(n["gpus"] for n in status["nodes"])
    out.print(f"Connected to {address}: {len(status['nodes'])} node(s), {gpus:g} GPU(s). Saved as the default farm.")
    _print_access(access)


def _print_access(access) -> None:  # noqa: ANN001 - a ClusterAccess or None
    if access is None:
        return
    if access.warning():
        console.print(f"[yellow]Warning: {escape(access.warning())}[/yellow]")
    elif access.checked:
        out.print(f"  authentication: token ({access.token_source}); TLS: {'on' if access.tls else 'off'}")


@farm_app.command("status")
def status(
    address: str = typer.Option(None, "--farm", help="Cluster address (default: the one saved by `studio farm connect`)."),
    json_out: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Nodes, their GPUs, the models each node's studio has installed, and who the cluster lets in."""
    from studio.farm.pool import access_of, cluster_status, connect, resolve_address

    settings = load_settings()
    addr = resolve_address(address or "default", settings)
    connect(addr, settings, refuse_open=False)  # an open cluster is reported here, not refused
    access = access_of(addr)
    report = {"address": addr, "access": access.as_dict() if access else None, **cluster_status()}
    if json_out:
        print_json(report)
        return
    out.print(f"Farm {addr}")
    _print_access(access)
    for n in report["nodes"]:
        out.print(f"  [bold]{escape(str(n.get('host', n['address'])))}[/bold] ({escape(str(n['address']))}): "
                  f"{n['cpus']:g} CPU, {n['gpus']:g} GPU, {n['memory_gb']} GB", markup=True)
        if n.get("error"):
            console.print(f"    [red]no studio here: {escape(str(n['error']))}[/red]")
            continue
        models = ", ".join(m["id"] for m in n.get("models", [])) or "none (run `studio models download ID` on it)"
        out.print(f"    studio {n.get('studio_version')}; models: {models}")
    for w in report["workers"]:
        out.print(f"  worker {w['group']} pid {w.get('pid')} on {w.get('node')}: {w.get('jobs_run', 0)} job(s)")


def batch(
    project: str = typer.Argument(..., help="The NAME.persona folder of posts whose entry names no project."),
    plan: Path = typer.Argument(..., help="A YAML plan: `posts:` entries with script or script_file, presets, "
                                         "optional project, still, prompt, music, title (see docs/farm.md)."),
    farm: str = FARM,
    parallel: int = typer.Option(None, "--parallel", help="Posts at once on the farm (default: what fits)."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Make many posts from a plan, on the farm in parallel or here one after another."""
    from dataclasses import asdict

    from studio.farm.batch import read_plan, run_plan

    planned = read_plan(plan, project)
    console.print(f"{len(planned)} post(s) {'on the farm' if farm else 'here, one after another'}…")
    outcomes = run_plan(planned, load_settings(), farm=farm, parallel=parallel)
    failed = [o for o in outcomes if o.state != "done"]
    if json_out:
        print_json([asdict(o) for o in outcomes])
    else:
        out.print(f"{'project':<20} {'post':<24} {'state':<9} {'time':>7}  exports / error")
        for o in outcomes:
            tail = f"{', '.join(o.exports)} · {o.commercial_use}" if o.state == "done" else o.error
            out.print(f"{o.project[:20]:<20} {o.title[:24]:<24} {o.state:<9} {o.seconds:6.1f}s  {tail}")
        out.print(f"{len(outcomes) - len(failed)} done, {len(failed)} failed.")
    if failed:
        raise typer.Exit(1)
