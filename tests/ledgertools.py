"""Helpers for state-file tests: another process holding the lock, and a digest job that
gives up on a held lock quickly."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCKED = ("another feedkit digest is running (the state file is locked); try again when it "
          "has finished")

_HOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from feedkit.deliver.ledger import Ledger
    with Ledger.open(Path(sys.argv[1])) as ledger, ledger.locked():
        print("locked", flush=True)
        sys.stdin.readline()
""")


@contextmanager
def lock_held_by_another_process(state: Path) -> Iterator[None]:
    """A second Python process opens ``state`` (creating it) and holds its write lock until
    the block ends."""
    state.parent.mkdir(parents=True, exist_ok=True)
    # run in the state's folder, so the child imports the same feedkit as the tests do (the
    # installed one), not a checkout that happens to be the current folder
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(state)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=state.parent)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield
    finally:
        proc.stdin.write("\n")
        proc.stdin.close()
        proc.wait(10)
        proc.stdout.close()
