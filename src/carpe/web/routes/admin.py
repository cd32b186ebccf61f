"""Admin pages: a contact's data export and erasure."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse

from carpe.services import accounts, permissions, personal_data
from carpe.web.auth import ViewerDep, check_csrf
from carpe.web.routes.deps import UowDep, render

router = APIRouter(include_in_schema=False)


@router.get("/admin/contacts/{contact_id}/export")
def export_contact(contact_id: str, viewer: ViewerDep, uow: UowDep) -> JSONResponse:
    """Download everything carpe holds about a contact (admins; logged)."""
    data = personal_data.export_contact(session=uow.session, viewer=viewer, contact_id=contact_id)
    uow.commit()
    return JSONResponse(
        data, headers={"Content-Disposition": f'attachment; filename="contact-{contact_id}.json"'}
    )


@router.get("/admin/contacts/{contact_id}/erase", response_class=HTMLResponse)
def erase_form(request: Request, contact_id: str, viewer: ViewerDep, uow: UowDep) -> HTMLResponse:
    """Ask for confirmation before erasing."""
    permissions.require(
        viewer, "erase", permissions.Resource("contact"), why="only an admin may do this"
    )
    label = accounts.contact_label(session=uow.session, contact_id=contact_id)
    return render(request, "erase.html", {"contact_id": contact_id, "label": label, "report": None})


@router.post("/admin/contacts/{contact_id}/erase", dependencies=[Depends(check_csrf)])
def erase(request: Request, contact_id: str, viewer: ViewerDep, uow: UowDep) -> HTMLResponse:
    """Erase a contact's personal data (admins; logged)."""
    report = personal_data.erase_contact(session=uow.session, viewer=viewer, contact_id=contact_id)
    uow.commit()
    personal_data.finish_erasure(engine=uow.engine)
    return render(request, "erase.html", {"contact_id": contact_id, "report": report})
