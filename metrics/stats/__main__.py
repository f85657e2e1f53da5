"""Command line: ``python -m metrics.stats analyse [FILE]`` or ``power [FILE]``.

Reads JSON from FILE, or stdin without one, and prints the result as JSON. Invalid input exits
with status 2 and a message naming the field; infinities are written as null.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from metrics.stats import analyse, plan_power
from metrics.stats.errors import StatsInputError

COMMANDS = {"analyse": analyse, "power": plan_power}
INVALID_INPUT_EXIT = 2


def read_payload(path: str | None) -> Any:
    """The parsed JSON of ``path``, or of stdin when no path is given."""
    try:
        if path is None:
            return json.load(sys.stdin)
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise StatsInputError("input", f"is not valid JSON ({error})") from None
    except OSError as error:
        raise StatsInputError("FILE", f"cannot be read ({error.strerror})") from None


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m metrics.stats")
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("file", nargs="?", help="JSON input; stdin when omitted")
    args = parser.parse_args(argv)
    try:
        result = COMMANDS[args.command](read_payload(args.file))
    except StatsInputError as error:
        print(f"invalid input: {error}", file=sys.stderr)
        return INVALID_INPUT_EXIT
    # The result is built with None for infinities; allow_nan=False turns any stray NaN or
    # infinity into a loud failure instead of JSON that other tools cannot parse.
    json.dump(result, sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
