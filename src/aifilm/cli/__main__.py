"""`python -m aifilm.cli`: the same as the `aifilm` command."""

from aifilm.cli.app import main

main()
