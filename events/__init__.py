"""The domain of replay: posts, events and the append-only log they live in."""
