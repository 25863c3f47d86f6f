"""Forwarding of stored statements to an outside LRS, through a durable outbox."""
