"""A GPU window planned and spent: the probe and its reading (and the first GPU contact's logs read back), the window and campaign plans, the
time budget, and the delivery of finished files."""
