"""Playback of an event log: the virtual clock, the trio scheduler, the CLI and the TUI."""
