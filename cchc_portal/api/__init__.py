"""API plumbing shared by every app: pagination, throttling, the error shape and its schema."""
