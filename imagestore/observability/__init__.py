"""What the app is doing, seen from outside: ``GET /metrics`` (``metrics``) and one log
line per request (``request_log``)."""
