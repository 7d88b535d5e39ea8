#!/usr/bin/env python3
"""Generate lockgate's packaged model table from LiteLLM's published model prices.

    .venv/bin/python scripts/build_model_table.py [REFERENCE_JSON] [--check]

REFERENCE_JSON defaults to ../shared/data/model_prices_reference.json (relative to the repo
root). Writes src/lockgate/pricing/model_table.json: every entry normalised to the fields
lockgate uses (lockgate.pricing.entry_schema), keys sorted, one entry per line so a price
change is a one-line diff. The same input gives the same bytes: the generation date is kept
from the existing file unless an entry changed. --check writes nothing and exits 1 when the
packaged file is out of date.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))  # run from a checkout without installing it

from lockgate.pricing.entry_schema import normalise_entry  # noqa: E402

DEFAULT_REFERENCE = REPO.parent / "shared" / "data" / "model_prices_reference.json"
OUTPUT = REPO / "src" / "lockgate" / "pricing" / "model_table.json"
SOURCE_KEY = "_source"
LITELLM_VERSION = "1.100.5"
# LiteLLM's documentation entry, not a model.
SKIPPED_KEYS = frozenset({"sample_spec"})


def build_table(
    reference: Mapping[str, Any], *, reference_bytes: bytes, generated: str
) -> dict[str, Any]:
    """The packaged table: a ``_source`` header, then every model's normalised entry."""
    models = {
        key: normalise_entry(entry, where=f"reference entry {key!r}")
        for key, entry in reference.items()
        if key not in SKIPPED_KEYS
    }
    source = {
        "name": "LiteLLM model_prices_and_context_window.json",
        "project": "https://github.com/BerriAI/litellm",
        "litellm_version": LITELLM_VERSION,
        "license": "MIT",
        "generated": generated,
        "reference_sha256": hashlib.sha256(reference_bytes).hexdigest(),
        "models": len(models),
    }
    return {SOURCE_KEY: source, **models}


def render(table: Mapping[str, Any]) -> bytes:
    """JSON with the header first, then one line per model in key order."""
    items = [(SOURCE_KEY, table[SOURCE_KEY])]
    items += sorted((k, v) for k, v in table.items() if k != SOURCE_KEY)
    lines = [
        json.dumps(key) + ":" + json.dumps(value, sort_keys=True, separators=(",", ":"))
        for key, value in items
    ]
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode("ascii")


def generation_date(existing: Path, candidate: Mapping[str, Any]) -> str:
    """The existing file's date when its entries equal ``candidate``'s, else today (UTC)."""
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    try:
        old = json.loads(existing.read_bytes())
    except (OSError, ValueError):
        return today
    old_source = old.get(SOURCE_KEY, {})
    old_date = old_source.get("generated")
    if not isinstance(old_date, str):
        return today

    def comparable(table: Mapping[str, Any]) -> Mapping[str, Any]:
        source = {k: v for k, v in table[SOURCE_KEY].items() if k != "generated"}
        return {**table, SOURCE_KEY: source}

    return old_date if comparable(old) == comparable(candidate) else today


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("reference", nargs="?", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the output is stale")
    args = parser.parse_args(argv)
    reference_bytes = args.reference.read_bytes()
    reference = json.loads(reference_bytes)
    draft = build_table(reference, reference_bytes=reference_bytes, generated="")
    date = generation_date(args.output, draft)
    rendered = render(build_table(reference, reference_bytes=reference_bytes, generated=date))
    current = args.output.read_bytes() if args.output.exists() else b""
    if args.check:
        if rendered != current:
            print(
                f"{args.output} is out of date: run scripts/build_model_table.py", file=sys.stderr
            )
            return 1
        return 0
    if rendered != current:
        args.output.write_bytes(rendered)
    print(
        f"{args.output}: {len(reference) - len(SKIPPED_KEYS & reference.keys())} models, "
        f"{len(rendered):,} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
