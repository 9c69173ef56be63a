"""Plumbing every app may use and that holds no domain rules: problems with row and column,
refusals, the API's error shape and base classes, and readers of uploaded tables."""
