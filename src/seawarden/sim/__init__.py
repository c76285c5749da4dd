"""Traffic simulator: realistic AIS and BeiDou traffic with scripted, ground-truthed scenarios."""
