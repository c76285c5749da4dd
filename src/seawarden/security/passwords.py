"""Password hashing (argon2id) and password policies (a 等保 profile and an ASVS profile).

Both profiles refuse the 30,000 most common passwords (zxcvbn's list of leaked passwords),
a password containing the user name, and any of the user's last passwords.

- ``dengbao`` (GB/T 22239-2019 level 3 practice): at least 8 characters from at least three
  of upper case, lower case, digits and symbols; zxcvbn score at least 2 (no dressed-up
  common words such as ``Password1!``); changed every 90 days; last 5 not reused.
- ``asvs`` (OWASP ASVS 4.0 V2.1): at least 12 characters (up to 128), any characters, no
  composition rules and no forced expiry; zxcvbn strength score at least 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=2, hash_len=32, salt_len=16)


@dataclass(frozen=True)
class Policy:
    """A password policy."""

    name: str
    min_length: int
    max_length: int = 128
    min_classes: int = 0
    expiry_days: int | None = None
    history: int = 5
    min_zxcvbn_score: int = 0


POLICIES = {
    "dengbao": Policy(
        "dengbao", min_length=8, min_classes=3, expiry_days=90, history=5, min_zxcvbn_score=2
    ),
    "asvs": Policy(
        "asvs", min_length=12, min_classes=0, expiry_days=None, history=5, min_zxcvbn_score=3
    ),
}


class PasswordRejected(ValueError):  # noqa: N818 - reads as the outcome
    """A password that breaks the policy (the message says which rule)."""


def hash_password(password: str) -> str:
    """argon2id hash of a password."""
    return _HASHER.hash(password)


def check_password(stored: str, password: str) -> bool:
    """Whether a password matches a stored hash."""
    try:
        return bool(_HASHER.verify(stored, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with weaker parameters than today's."""
    return bool(_HASHER.check_needs_rehash(stored))


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common leaked passwords (lower case)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(w.lower() for w in FREQUENCY_LISTS["passwords"])


def classes(password: str) -> int:
    """How many of upper case, lower case, digits and other characters a password uses."""
    return sum(
        (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def validate(
    password: str, policy: Policy, username: str = "", history: list[str] | None = None
) -> None:
    """Raise :class:`PasswordRejected` unless the password satisfies the policy."""
    if len(password) < policy.min_length:
        raise PasswordRejected(f"at least {policy.min_length} characters")
    if len(password) > policy.max_length:
        raise PasswordRejected(f"at most {policy.max_length} characters")
    if any(ord(c) < 32 for c in password):
        raise PasswordRejected("control characters are not allowed")
    if classes(password) < policy.min_classes:
        raise PasswordRejected(
            f"use at least {policy.min_classes} of: upper case, lower case, digits, symbols"
        )
    if password.lower() in common_passwords():
        raise PasswordRejected("this password is among the most common leaked passwords")
    if username and username.lower() in password.lower():
        raise PasswordRejected("the password may not contain the user name")
    if policy.min_zxcvbn_score:
        from zxcvbn import zxcvbn

        if zxcvbn(password[:100], user_inputs=[username])["score"] < policy.min_zxcvbn_score:
            raise PasswordRejected("too easy to guess")
    for old in (history or [])[: policy.history]:
        if check_password(old, password):
            raise PasswordRejected(f"may not repeat any of the last {policy.history} passwords")


def configured_policy() -> Policy:
    """The policy profile chosen in settings (``SEAWARDEN_WEB__PASSWORD_POLICY``)."""
    from seawarden.settings import get_settings

    return POLICIES[get_settings().web.password_policy]
