"""Retention stories: drafts with their evidence, and the customer's consent."""

from __future__ import annotations
