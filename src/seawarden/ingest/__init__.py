"""Sources, the raw archive and the crash-safe ingest pipeline."""
