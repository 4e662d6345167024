"""The storefront: server-rendered pages over the same services the APIs use (a dialect, like
api/: it parses requests and words answers)."""
