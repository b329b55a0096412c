"""``python -m feedkit`` runs the command line."""

from feedkit.cli import main

if __name__ == "__main__":  # not when a worker process imports this module again
    main()
