"""xAPI: activity ids, statement building (tincan), the statement store and its write path."""
