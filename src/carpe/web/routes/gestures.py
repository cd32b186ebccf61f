"""Gestures: my budget and my gestures, the manager view, and ``/api/v1`` for both."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from carpe.web.api import ERRORS
from carpe.web.auth import check_csrf

router = APIRouter(include_in_schema=False)
"""HTML pages."""

api_router = APIRouter(prefix="/api/v1", responses=ERRORS, dependencies=[Depends(check_csrf)])
"""JSON API endpoints (they appear in the OpenAPI document)."""
