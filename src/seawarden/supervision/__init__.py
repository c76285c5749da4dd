"""Zone and behaviour supervision: rules over positions, events, alerts."""
