"""``python -m poisoncourse …`` is the ``poisoncourse`` command."""

from .share.cli import main

raise SystemExit(main())
