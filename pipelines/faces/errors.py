"""Errors of the face engine, each a `studio.core.errors` subclass with a message that says what to do."""

from __future__ import annotations

from studio.core.errors import BadInput


class BadImage(BadInput):
    """A file that is not an image, is empty, damaged or too large to open."""


class NoFaceFound(BadInput):
    """An image in which no face could be found."""
