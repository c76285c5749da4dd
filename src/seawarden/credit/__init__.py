"""Credit: an event ledger, versioned rule sets, scores and grades (AA-D), red and black lists."""
