"""Accounts and products on a live store, for the Edge clients' tests."""

import json

# The clients' runs submit more often than the default limits allow; the throttle has tests of its own.
RELAXED = {"ADDONHUB_SUBMISSION_RATE_PER_USER": "100/minute", "ADDONHUB_SUBMISSION_RATE_PER_IP": "100/minute"}
NAME = "Tab Tamer"


def edge_account(store, email: str = "dev@example.org") -> tuple[dict, dict]:
    """An account as `users create --json` prints it, and a product of it as `products create --json` does."""
    account = store.create_user(email)
    product = json.loads(store.cli("products", "create", "--data-dir", str(store.data_dir), "--owner", email,
                                   "--name", NAME, "--json").stdout)
    return account, product


def api_key_headers(account: dict) -> dict:
    return {"Authorization": f"ApiKey {account['edge']['api_key']}", "X-ClientID": account["edge"]["client_id"]}
