"""Packages: reading add-on archives without trusting them, and validating what is inside."""
