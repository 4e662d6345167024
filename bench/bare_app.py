"""The baselines: an endpoint that does no work, served exactly as `addonhub serve` serves the
store (`addonhub.server.serve`: uvicorn, one worker, the store's bounded httptools protocol,
log_level warning, no access log, no proxy headers), with no middleware.

- `--app fastapi` (`make bench`): one FastAPI route, a plain `def` as the store's catalogue routes
  are, so it pays the same thread-pool hop, answering through the store's JSON response class.
- `--app starlette` (`make bench-updates`): one async Starlette route returning a fixed body, the
  stack's limit for an endpoint that runs on the event loop, as the update services do.
"""

import argparse

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from addonhub.api.responses import JSONResponse
from addonhub.config import Settings
from addonhub.server import serve

fastapi_app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, default_response_class=JSONResponse)


@fastapi_app.get("/bare")
def bare():
    return JSONResponse({"status": "ok", "id": 1, "name": "bare"})


# About the size of a one-id update check's answer, with the headers such an answer carries.
FIXED_BODY = (b"<?xml version='1.0' encoding='UTF-8'?>\n<gupdate xmlns='http://www.google.com/update2/response' "
              b"protocol='2.0'><app appid='aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'><updatecheck status='noupdate'/>"
              b"</app></gupdate>")
FIXED_HEADERS = {"cache-control": "public, max-age=3600"}


async def fixed_body(request):
    return Response(FIXED_BODY, media_type="text/xml", headers=FIXED_HEADERS)


starlette_app = Starlette(routes=[Route("/bare", fixed_body)])
APPS = {"fastapi": fastapi_app, "starlette": starlette_app}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--app", choices=sorted(APPS), default="fastapi")
    args = parser.parse_args()
    serve(APPS[args.app], Settings(host=args.host, port=args.port))


if __name__ == "__main__":
    main()
