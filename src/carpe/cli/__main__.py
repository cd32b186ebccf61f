"""``python -m carpe.cli``."""

from carpe.cli import main

main()
