"""The Edge Add-ons side of the store: products (add-ons of the shared catalogue, known to the
Edge publish API by their product id). Models and rules only; the HTTP dialect is api/edge."""
