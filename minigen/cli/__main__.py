"""``python -m minigen.cli``: the same as the ``minigen`` command."""

import sys

from minigen.cli.main import main

sys.exit(main())
