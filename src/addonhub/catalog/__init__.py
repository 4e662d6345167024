"""The catalogue: add-ons, their versions and files, and everything listed about them."""
