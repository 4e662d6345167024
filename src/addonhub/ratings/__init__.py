"""Ratings and reviews of add-ons, the developers' replies, flags, and the aggregates they feed."""
