"""``python -m orgsim`` runs the command line."""

from orgsim.cli import main

main()
