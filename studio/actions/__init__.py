"""What a user can do, as job handlers shared by the CLI, the window and farm workers.

Each handler is `(project, params, ctx) -> result` and registers itself under a job kind with
`@action("kind")`. This layer may import core, render and pipelines; never Qt.
"""
