"""Submissions: packages sent by developers, their validation, the versions made from them,
signing and review. Shared by every publishing dialect (AMO signing API, AMO v5, Edge)."""
