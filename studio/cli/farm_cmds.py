"""`studio farm connect|status` and `studio batch` (many posts, on the render farm or here)."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import FARM, console, load_settings, out, print_json

farm_app = typer.Typer(help="The render farm: run jobs on a Ray cluster of GPU machines (docs/farm.md).",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(farm_app, name="farm")
    app.command("batch")(batch)


@farm_app.command("connect")
def connect(
    address: str = typer.Argument(..., help="ray://HEAD:10001 (Ray Client) or 'auto' (on a cluster node)."),
    json_out: bool = typer.Option(False, "--json", help="Print the cluster as JSON."),
) -> None:
    """Check that the cluster answers, then save it as the farm `--farm default` uses."""
    from studio.core.settings import Settings
    from studio.farm.pool import cluster_status
    from studio.farm.pool import connect as ray_connect

    ray_connect(address)
    status = cluster_status()
    settings = Settings.load()
    settings.farm_address = address
    settings.save()
    if json_out:
        print_json({"address": address, **status})
        return
    gpus = sum(n["gpus"] for n in status["nodes"])
    out.print(f"Connected to {address}: {len(status['nodes'])} node(s), {gpus:g} GPU(s). Saved as the default farm.")


@farm_app.command("status")
def status(
    address: str = typer.Option(None, "--farm", help="Cluster address (default: the one saved by `studio farm connect`)."),
    json_out: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Nodes, their GPUs, and the models each node's studio has installed."""
    from studio.farm.pool import cluster_status, connect, resolve_address

    addr = resolve_address(address or "default", load_settings())
    connect(addr)
    report = {"address": addr, **cluster_status()}
    if json_out:
        print_json(report)
        return
    out.print(f"Farm {addr}")
    for n in report["nodes"]:
        out.print(f"  [bold]{n.get('host', n['address'])}[/bold] ({n['address']}): {n['cpus']:g} CPU, {n['gpus']:g} GPU, "
                  f"{n['memory_gb']} GB")
        if n.get("error"):
            console.print(f"    [red]no studio here: {n['error']}[/red]")
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
