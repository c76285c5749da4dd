"""Seawarden: smart port and maritime supervision platform."""

__version__ = "0.1.0"
