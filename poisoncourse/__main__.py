"""``python -m poisoncourse …`` is the ``poisoncourse`` command."""

from .tools.cli import main

raise SystemExit(main())
