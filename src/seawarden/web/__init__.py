"""The web platform: REST API (FastAPI), live push (server-sent events) and the browser UI."""
