"""JSON written straight from service dicts with orjson, for the hot read endpoints.

FastAPI would validate the returned dict against the response model again and serialize it
through pydantic (about a third of a list request's CPU). The dicts are built in the models'
exact shape (services/incident_views.py) and tests validate them against those models, so
the endpoints keep their `response_model` for the OpenAPI schema and skip the second pass.
"""

from typing import Any

import orjson
from fastapi.responses import Response
from pydantic import BaseModel

# UTC times as "...Z", as pydantic writes them; microseconds only when there are some.
OPTIONS = orjson.OPT_UTC_Z


def json_response(payload: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(payload, option=OPTIONS), status_code=status_code,
                    media_type="application/json")


def model_response(model: BaseModel, status_code: int = 200) -> Response:
    """A model built (and so validated) by the service, written once by pydantic-core; a
    1,000-alert intake result was validated and serialized a second time by FastAPI."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")
