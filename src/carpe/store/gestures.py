"""Logged gestures' approval state and the moment each answers."""

from __future__ import annotations
