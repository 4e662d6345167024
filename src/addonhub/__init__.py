"""addonhub: a self-hosted browser add-on store."""
