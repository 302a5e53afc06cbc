"""Signet Arcade: watch a small language model learn to write."""

__version__ = "0.1.0"
