from __future__ import annotations

from seawarden.ledger import service
from seawarden.ledger.keys import PrivateKey, generate
from seawarden.security.actor import Actor, Role

ORIGIN = "msa.example.cn/ledger/handover/v1"
OPERATOR = Actor("operator", frozenset({Role.system_admin}))
CLERK = Actor("clerk", frozenset({Role.enterprise}), organisation="TERMINAL-1")
AUDITOR = Actor("auditor", frozenset({Role.audit_admin}))
PUBLIC = Actor("someone", frozenset({Role.public}))


def new_log(engine: object, name: str = "handover", hash_alg: str = "sha256") -> PrivateKey:
    """Create a log and return its signing key."""
    origin = ORIGIN.replace("handover", name)
    service.create_log(engine, OPERATOR, name, origin, hash_alg)  # type: ignore[arg-type]
    return generate(origin)
