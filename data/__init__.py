"""Data tier: dataset specs, ingestion, and the in-memory Dataset. Never imports Dash."""
