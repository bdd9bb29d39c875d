"""The ``chiso`` command: Django's management commands plus chiso's operator tasks.

``chiso import-results FILE --index papi --year 2022 [--commit]``, ``chiso import-framework FILE``,
``chiso analyse …``, ``chiso gap …``, ``chiso load-demo``,
``chiso plan draft --index papi --unit NAME --year YYYY [--places N] --out FILE.docx [--pdf FILE.pdf]``,
``chiso plan list``, and every ``manage.py`` command.
"""

from __future__ import annotations

import os
import sys

# Hyphenated operator names map to the management commands that implement them.
ALIASES = {
    "import-results": "import_results",
    "import-framework": "import_framework",
    "load-reference": "load_reference",
    "load-demo": "load_demo",
    "revert-import": "revert_import",
    "analyze": "analyse",
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
    if "CHISO_ENV" not in os.environ and "CHISO_SECRET_KEY" not in os.environ:
        os.environ["CHISO_ENV"] = "dev"
    if args:
        args[0] = ALIASES.get(args[0], args[0])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chiso", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
