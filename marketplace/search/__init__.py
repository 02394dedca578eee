"""Full-text search of published needs: a Whoosh index derived from the database and kept current from
outbox events; the database is the truth and the index can be rebuilt at any time."""
