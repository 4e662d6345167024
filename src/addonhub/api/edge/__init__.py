"""The Edge Add-ons publish API dialect: the OAuth token endpoint, and the product routes under
/v1 (as clients call them) and /api/v1 (as the reference's examples do)."""

from fastapi import APIRouter

from addonhub.api.edge import oauth, products

router = APIRouter()
router.include_router(oauth.router)
for _prefix in ("/v1", "/api/v1"):
    router.include_router(products.router, prefix=_prefix)
