"""Notifications: mail rendered in the change's transaction, written to the outbox, delivered by the worker."""
