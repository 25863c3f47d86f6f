"""Certificates: issued on completion, PDF, public verification, revocation, Open Badges 3.0."""
