"""Abuse reports: what anyone, signed in or not, tells the reviewers about an add-on."""
