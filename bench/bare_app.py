"""The baseline: one FastAPI route that does no work, served exactly as `addonhub serve` serves the
store (uvicorn, one worker, log_level warning, no proxy headers) and answering through the same
JSON response class. Its route is a plain `def`, as the store's are, so it pays the same
thread-pool hop; it has no middleware."""

import argparse

import uvicorn
from fastapi import FastAPI

from addonhub.api.responses import JSONResponse

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, default_response_class=JSONResponse)


@app.get("/bare")
def bare():
    return JSONResponse({"status": "ok", "id": 1, "name": "bare"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", proxy_headers=False)


if __name__ == "__main__":
    main()
