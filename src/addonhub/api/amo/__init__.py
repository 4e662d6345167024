"""The addons.mozilla.org API dialect."""
