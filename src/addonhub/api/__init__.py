"""HTTP dialects: each translates requests into catalogue calls and answers in its clients' shape."""
