"""``python -m feedkit`` runs the command line."""

from feedkit.cli import main

main()
