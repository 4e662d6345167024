"""The Edge Add-ons publish API dialect: the OAuth token endpoint, and the product routes under
/v1 (as clients call them) and /api/v1 (as the reference's examples do)."""

from fastapi import APIRouter

from addonhub.api.edge import oauth, operations, products, submissions

router = APIRouter()
router.include_router(oauth.router)
for _prefix in ("/v1", "/api/v1"):
    router.include_router(products.router, prefix=_prefix)
    router.include_router(submissions.router, prefix=_prefix)
    router.include_router(operations.router, prefix=_prefix)
# v1's Location is the reference's path from the root (`/products/{id}/submissions/...`), and the
# usage guide says to GET "the URL in the Location header": the statuses answer there too.
router.include_router(operations.router)
