"""Append to a ledger log forever (killed by the crash test)."""

from __future__ import annotations

import os
import random
import sys

from seawarden.db.engine import connect
from seawarden.ledger import service
from seawarden.ledger.store import NewEntry
from seawarden.security.actor import Actor, Role

WRITER = Actor("crash-writer", frozenset({Role.system_admin}))


def main() -> None:
    engine = connect(sys.argv[1])
    rng = random.Random(int(sys.argv[2]))
    print("ready", flush=True)
    n = 0
    while True:
        items = [NewEntry(os.urandom(24)) for _ in range(rng.randint(1, 40))]
        service.append_entries(engine, WRITER, "crash", items)
        n += 1
        if n % 10 == 0:
            print(n, flush=True)


if __name__ == "__main__":
    main()
