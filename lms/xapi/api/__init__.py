"""The xAPI 1.0.3 HTTP API under /xapi/ (Communication part of the specification)."""
