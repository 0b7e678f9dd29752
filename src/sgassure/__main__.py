"""Run the command line: ``python -m sgassure``."""

from sgassure.cli import main

raise SystemExit(main())
