"""Pieces shared by every domain package: the model base, time helpers, errors."""
