"""Alert drills (real intake lives beside it)."""

from fastapi import APIRouter

from app.deps import DB, Responder
from app.schemas.alerts import GenerateRequest, GenerateResult
from app.schemas.common import error_responses
from app.services import drills

router = APIRouter(prefix="/alerts", tags=["alerts"])


@router.post("/generate", status_code=201, response_model=GenerateResult,
             responses=error_responses(401, 403, 422))
async def generate_alerts(db: DB, user: Responder, body: GenerateRequest | None = None) -> GenerateResult:
    """Synthetic alerts for a drill; the same `seed` gives the same alerts."""
    return await drills.generate(db, body or GenerateRequest(), user)
