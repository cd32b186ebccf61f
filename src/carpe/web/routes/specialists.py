"""Specialists pages and API (issue wiring; the routes are filled in by that capability)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
"""HTML pages."""

api_router = APIRouter(prefix="/api/v1")
"""JSON API endpoints (they appear in the OpenAPI document)."""
