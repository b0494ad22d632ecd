"""The terminal UI of `replay`: Textual on top, the trio scheduler running as its guest."""
