"""Runs edge-addons-api (PyPI) as its users do: submit (upload, poll, publish), then poll the
publish status. Run as a process of its own (`python -m tests.interop.edge_addons_api_run JSON`)
so that the caller's timeout can end it: the client sets no request timeouts and polls a status
it does not know forever.

JSON: {"base_url", "product_id", "client_id", "api_key", "package", "notes"}. Prints one JSON line:
{"publish_operation", "publish_status"}, or {"upload_failed": {...}} when the client raises
UploadException (a BaseException), or {"error": "..."} for anything else it raises.
"""

import json
import sys
import time

from tests.interop.clients import edge_client


def main(options: dict) -> dict:
    client = edge_client(options["base_url"], product_id=options["product_id"], client_id=options["client_id"],
                         api_key=options["api_key"], retry_count=60, sleep_seconds=1)
    from edge_addons_api.exceptions import UploadException
    try:
        operation = client.submit(options["package"], options["notes"])
    except UploadException as failure:
        return {"upload_failed": {"status": failure.status, "message": failure.message,
                                  "error_code": failure.error_code, "errors": failure.errors}}
    except Exception as error:  # requests.HTTPError and the like: the test shows what it was
        return {"error": f"{type(error).__name__}: {error}"}
    for _ in range(120):
        status = client.fetch_publish_status(operation)
        if status.get("status") != "InProgress":
            break
        time.sleep(0.5)
    return {"publish_operation": operation, "publish_status": status}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))), flush=True)
