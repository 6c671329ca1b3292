"""Imported by a forkserver started under `ember run` (see _run_children): installs the torch alias."""
from ._run import install

install()
