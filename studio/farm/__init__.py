"""The render farm: the studio's jobs run on a Ray cluster instead of this machine.

A job becomes a self-contained bundle (persona + the input assets it names, as bytes), runs the
SAME action handler in a mini-project on a worker actor, and comes back as files + Asset records
that the desktop verifies (sha256) and registers in the real project. The project folder stays
the single source of truth. Ray is imported lazily: without the `farm` extra everything else works.
"""
