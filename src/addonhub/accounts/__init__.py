"""Accounts: people, their roles and their credentials."""
