"""Retention stories: the library, a story with its evidence, consent; ``/api/v1/stories``."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from carpe.web.api import ERRORS
from carpe.web.auth import check_csrf

router = APIRouter(include_in_schema=False)
"""HTML pages."""

api_router = APIRouter(prefix="/api/v1", responses=ERRORS, dependencies=[Depends(check_csrf)])
"""JSON API endpoints (they appear in the OpenAPI document)."""
