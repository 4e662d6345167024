"""The activity log: who did what to which add-on, version or account, and when."""
