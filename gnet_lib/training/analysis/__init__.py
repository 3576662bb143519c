"""What the stored results say: statistics over seeds and test images, the seed comparison, the source's claims and the gap to its table, and the paper's own training
arithmetic. Reads results; trains nothing."""
