"""``python -m benchtables``."""

from benchtables.cli import main

main()
