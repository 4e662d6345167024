"""Operation statuses in the Edge dialect: what an upload or a publish has come to.

`GET .../submissions/draft/package/operations/{operationID}` (uploads) and
`GET .../submissions/operations/{operationID}` (publishes). The id may come bare, or inside the
whole path or URL a client pasted (v1's `Location` is a path); the last segment that is an
operation id counts. Unknown operations, another kind's, and another product's are all 404s.
"""

from fastapi import APIRouter, Request

from addonhub.api.edge.access import caller_and_product
from addonhub.api.edge.errors import not_found
from addonhub.api.edge.statuses import status_object
from addonhub.api.openapi import EDGE, EDGE_OPERATION_NOT_FOUND, OBJECT, answers, returns
from addonhub.api.responses import JSONResponse
from addonhub.edge.models import PUBLISH, UPLOAD
from addonhub.edge.operations import find_operation, outcome

NO_SUCH_OPERATION = "This product has no such operation."

router = APIRouter(prefix="/products/{product_id}/submissions", tags=["edge"])
_STATUS = answers({**returns(OBJECT), **EDGE_OPERATION_NOT_FOUND}, EDGE, 401)


@router.get("/draft/package/operations/{operation_id:path}", summary="The status of a package upload", responses=_STATUS)
def upload_status(request: Request, product_id: str, operation_id: str) -> JSONResponse:
    return _status(request, product_id, operation_id, UPLOAD)


@router.get("/operations/{operation_id:path}", summary="The status of a publish", responses=_STATUS)
def publish_status(request: Request, product_id: str, operation_id: str) -> JSONResponse:
    return _status(request, product_id, operation_id, PUBLISH)


# With no id at all (".../operations/", its slash stripped by the app) no route above matches;
# answer in the Edge shape rather than the app's generic 404.
@router.get("/draft/package/operations", include_in_schema=False)
@router.get("/operations", include_in_schema=False)
def no_operation(request: Request, product_id: str) -> JSONResponse:
    return _status(request, product_id, "", PUBLISH)


def _status(request: Request, product_id: str, reference: str, kind: str) -> JSONResponse:
    with request.app.state.store.db.session() as session:
        caller, product = caller_and_product(request, session, product_id)
        operation = find_operation(session, product, reference, kind)
        if operation is None:
            raise not_found(NO_SUCH_OPERATION)
        return JSONResponse(status_object(caller.dialect, operation, outcome(session, operation)))
