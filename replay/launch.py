"""The `replay` command as installed: Ctrl-C while the program is still loading ends it quietly.

Loading the command line (the model, the log, the importers) takes a tenth of a second or more; a
Ctrl-C in that time would otherwise end in Python's traceback of the import.
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130


def main() -> int:
    """Load the command line and run it."""
    try:
        from replay.cli import main as run  # inside the try: that is the point
    except KeyboardInterrupt:
        print("replay: interrupted; nothing was changed", file=sys.stderr)
        return EXIT_INTERRUPTED
    return run()
