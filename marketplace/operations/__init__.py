"""Running the platform: the worker's heartbeat and the Prometheus metrics an operator scrapes."""
