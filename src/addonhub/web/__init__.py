"""The storefront: server-rendered pages over the same catalogue services and read-model
documents the AMO API answers from (a dialect, like api/: it parses requests and words answers)."""
