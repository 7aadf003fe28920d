"""Persona Studio: a desktop studio for virtual influencers."""

__version__ = "0.1.0"
