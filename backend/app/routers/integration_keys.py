"""A service's integration keys: created by an admin, shown once, listed without the key."""

from fastapi import APIRouter, Response

from app.deps import DB, Admin
from app.schemas.common import IdParam, error_responses
from app.schemas.integration_keys import IntegrationKeyCreate, IntegrationKeyCreated, IntegrationKeyRead
from app.services.alerts import integration_keys

router = APIRouter(prefix="/services/{service_id}/integration-keys", tags=["services"])


@router.post("", status_code=201, response_model=IntegrationKeyCreated,
             responses=error_responses(401, 403, 404, 422))
async def create_integration_key(
    db: DB, user: Admin, service_id: IdParam, body: IntegrationKeyCreate | None = None
) -> IntegrationKeyCreated:
    """The key is in this answer only; we keep its SHA-256."""
    return await integration_keys.create_key(db, service_id, body or IntegrationKeyCreate(), user)


@router.get("", response_model=list[IntegrationKeyRead], responses=error_responses(401, 403, 404, 422))
async def list_integration_keys(db: DB, _: Admin, service_id: IdParam) -> list[IntegrationKeyRead]:
    return await integration_keys.list_keys(db, service_id)


@router.delete("/{key_id}", status_code=204, response_class=Response,
               responses=error_responses(401, 403, 404, 422))
async def revoke_integration_key(db: DB, _: Admin, service_id: IdParam, key_id: IdParam) -> Response:
    """Senders using it get 401 from now on."""
    await integration_keys.revoke_key(db, service_id, key_id)
    return Response(status_code=204)
