"""The product list of the Edge dialect: `GET /v1/products` (and under /api)."""

from datetime import datetime

from fastapi import APIRouter, Request

from addonhub.api.edge.auth import edge_caller
from addonhub.api.openapi import EDGE, OBJECT, answers, returns
from addonhub.api.responses import JSONResponse
from addonhub.catalog.models import Addon
from addonhub.edge.products import product_last_updated, product_name, product_status, products_of

router = APIRouter(prefix="/products", tags=["edge"])


# A JSON array, as the reference's product list is.
@router.get("", summary="The caller's products",
            responses=answers(returns({"type": "array", "items": OBJECT}), EDGE, 401))
def list_products(request: Request) -> JSONResponse:
    with request.app.state.store.db.session() as session:
        user, _dialect = edge_caller(request, session)
        products = [_product_object(session, addon) for addon in products_of(session, user)]
    return JSONResponse(products)


def _product_object(session, addon: Addon) -> dict:
    # The Chromium id is the store's own addition (Edge's list has none), only once there is one.
    chromium = {"chromiumId": addon.chromium_id} if addon.chromium_id else {}
    return {
        "id": addon.edge_product_id,
        "name": product_name(addon),
        "status": product_status(session, addon),
        "lastUpdatedDate": _us_date(product_last_updated(addon)),
        **chromium,
    }


def _us_date(moment: datetime) -> str:
    # The reference's format: "7/19/2021", month first, no leading zeros.
    return f"{moment.month}/{moment.day}/{moment.year}"
