"""`make bench`: run every benchmark module in this folder (each prints a JSON summary as its last line).

They measure PostgreSQL: `DATABASE_URL=postgres://.../scratch make bench` (some delete the rows they load).
`python -m bench import_calls` runs one; `python -m bench.import_calls --rows 10000000` passes options."""

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))
    wanted = sys.argv[1:] or names
    for name in wanted:
        print(f"== bench.{name}", flush=True)
        sys.argv = [f"bench.{name}"]  # each benchmark parses its own options: run it with its defaults
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
