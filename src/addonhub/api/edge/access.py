"""The caller and the product a request names: every product route's first step."""

from sqlalchemy.orm import Session
from starlette.requests import Request

from addonhub.api.edge.auth import EdgeCaller, edge_caller
from addonhub.api.edge.errors import not_found
from addonhub.catalog.models import Addon
from addonhub.edge.products import product_for

NO_SUCH_PRODUCT = "None of your products has this product id."


def caller_and_product(request: Request, session: Session, product_id: str) -> tuple[EdgeCaller, Addon]:
    """A 401 without valid credentials; a 404 for a product that is unknown or someone else's
    (alike, so that no answer reveals another account's products)."""
    caller = edge_caller(request, session)
    product = product_for(session, caller.user, product_id)
    if product is None:
        raise not_found(NO_SUCH_PRODUCT)
    return caller, product
