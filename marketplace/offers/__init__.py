"""慈善帮扶资源清单: what approved organisations offer before anyone asks, and staff referring needs to it."""
