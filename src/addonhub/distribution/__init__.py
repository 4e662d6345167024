"""Distribution: how browsers install and update add-ons from the store.

Chromium's signing keys and CRX packages, the update services' answers (gupdate for the
Chromium family, update manifests and VersionCheck for Firefox), links a browser may fetch
without credentials, enterprise policies, and the usage figures update checks give. No HTTP
here: `api/updates*.py` and the CLI word what this package decides.
"""
