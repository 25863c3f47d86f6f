"""Progress: a projection of the statement store, rebuilt at will by replaying it."""
