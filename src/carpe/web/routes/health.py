"""Liveness: ``/healthz``."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from carpe.web.routes.deps import SessionDep

router = APIRouter()


@router.get("/healthz", tags=["health"])
def healthz(session: SessionDep) -> dict[str, str]:
    """Answer ``ok`` when the app runs and the store answers."""
    session.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}
