"""What a user can do, as job handlers shared by the CLI, the window and farm workers.

Each handler is `(ctx: JobContext, params) -> result` and registers itself, with its kind's one
declaration (label, inputs, farm resources, whether it runs outside the window), through
`@action("kind", ...)` (registry.py). This layer may import core, render and pipelines; never Qt.
"""
