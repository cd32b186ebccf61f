"""Gestures inside the pipeline: does it pay, by kind and cost band (registers its step)."""

from __future__ import annotations
