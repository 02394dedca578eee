"""Side effects after commit: rows written in the change's own transaction, delivered by the worker."""
