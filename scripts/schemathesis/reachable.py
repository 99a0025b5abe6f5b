"""Keep the operations of an OpenAPI document that an account may reach.

    python3 reachable.py openapi.json me.json > openapi-<account>.json

`me.json` is the account's `GET /api/me` (its `permissions`). An operation whose
`x-permissions` names none of them is dropped: its gate answers 403 before reading any input,
and crates/bastion/tests/it/matrix.rs already asks every gate of every role. What is left is
what fuzzing the account's session can reach. A summary goes to stderr.
"""

import json
import sys


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        held = set(json.load(f).get("permissions", []))
    kept = dropped = 0
    for path in list(spec["paths"]):
        ops = spec["paths"][path]
        for method in list(ops):
            need = ops[method].get("x-permissions") if isinstance(ops[method], dict) else None
            if need and not held.intersection(need):
                del ops[method]
                dropped += 1
            else:
                kept += 1
        if not ops:
            del spec["paths"][path]
    json.dump(spec, sys.stdout, ensure_ascii=False)
    print(f"{kept} operations within reach, {dropped} left to the role matrix", file=sys.stderr)
    return 0 if kept else 1


if __name__ == "__main__":
    sys.exit(main())
