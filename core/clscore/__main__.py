"""``python -m clscore`` is ``clsrun``."""

from clscore.cli import main

if __name__ == "__main__":
    main()
