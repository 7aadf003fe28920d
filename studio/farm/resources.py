"""What each job kind needs on the farm: which worker actor runs it and how many GPUs/CPUs.

One table, one place to change it. A *group* is the kind of pipeline a worker actor keeps
loaded: jobs of the same group go to the same long-lived actors, so SDXL or SVD stays in GPU
memory between jobs (the pipelines cache loaded models process-wide; the actor process lives on).

| job kind        | group   | GPUs (cluster with GPUs) | GPUs (CPU-only cluster) | CPUs |
|-----------------|---------|--------------------------|-------------------------|------|
| generate        | sdxl    | 1                        | 0                       | 1    |
| motion.animate  | motion  | 1                        | 0                       | 1    |
| lipsync         | lipsync | 1                        | 0                       | 1    |
| post            | post    | 1 (runs all of the above)| 0                       | 1    |
| narrate         | voice   | 0 (Piper runs on CPU)    | 0                       | 1    |
| export          | render  | 0 (ffmpeg)               | 0                       | 1    |
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.errors import BadInput


@dataclass(frozen=True)
class JobResources:
    """The worker group of a job kind and what one of its actors reserves on a node."""

    group: str
    gpus: float
    cpus: float = 1.0

    def gpus_on(self, cluster_has_gpus: bool) -> float:
        """GPUs to reserve: the table's number on a GPU cluster, none on a CPU-only one."""
        return self.gpus if cluster_has_gpus else 0.0


#: job kind -> worker group and resources (see the module docstring; docs/farm.md repeats it)
JOB_RESOURCES: dict[str, JobResources] = {
    "generate": JobResources("sdxl", gpus=1),
    "motion.animate": JobResources("motion", gpus=1),
    "lipsync": JobResources("lipsync", gpus=1),
    "post": JobResources("post", gpus=1),
    "narrate": JobResources("voice", gpus=0),
    "export": JobResources("render", gpus=0),
}


def resources_for(kind: str) -> JobResources:
    """The farm resources of a job kind, or BadInput when that kind only runs on this machine."""
    try:
        return JOB_RESOURCES[kind]
    except KeyError:
        farmable = ", ".join(sorted(JOB_RESOURCES))
        raise BadInput(f"'{kind}' jobs run on this machine only; the farm runs {farmable}. Drop --farm.") from None
