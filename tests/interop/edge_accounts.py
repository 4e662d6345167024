"""Accounts and products on a live store, for the Edge clients' tests."""

import json

NAME = "Tab Tamer"


def edge_account(store, email: str = "dev@example.org") -> tuple[dict, dict]:
    """An account as `users create --json` prints it, and a product of it as `products create --json` does."""
    account = store.create_user(email)
    product = json.loads(store.cli("products", "create", "--data-dir", str(store.data_dir), "--owner", email,
                                   "--name", NAME, "--json").stdout)
    return account, product


def api_key_headers(account: dict) -> dict:
    return {"Authorization": f"ApiKey {account['edge']['api_key']}", "X-ClientID": account["edge"]["client_id"]}
