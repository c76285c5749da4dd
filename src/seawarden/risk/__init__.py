"""Risk: ship risk profiles (Paris MoU NIR, Tokyo MoU windows), inspection windows, risk points."""
