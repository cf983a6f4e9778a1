"""python -m orgdash: the same as the orgdash console script.

Kept apart from cli.py so sub-commands in orgdash/commands register on the one imported
orgdash.cli.app (running cli.py as __main__ would make a second, empty app).
"""

from orgdash.cli import main

main()
