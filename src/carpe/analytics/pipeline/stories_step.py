"""Retention stories inside the pipeline (registers its step when it has one)."""

from __future__ import annotations
