"""A GPU window planned and spent: the probe and its reading, the window and campaign plans, the
time budget, and the delivery of finished files."""
