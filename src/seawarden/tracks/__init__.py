"""Track store (Parquet, partitioned by day and identity bucket), latest positions, queries."""
