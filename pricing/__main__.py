"""`python -m pricing` runs the CLI."""

from pricing.cli import main

raise SystemExit(main())
