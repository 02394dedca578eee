"""阳光公示: the public transparency figures, aggregates only, computed by the worker and read in one row."""
