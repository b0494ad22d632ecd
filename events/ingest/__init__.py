"""Importers: one module per input format, each a generator of events."""
