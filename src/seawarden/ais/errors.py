"""The decoder's closed set of line outcomes and reject reasons, and its one error type."""

from __future__ import annotations

from enum import IntEnum


class Outcome(IntEnum):
    """What happened to one input line. Every line read gets exactly one outcome.

    Values below :attr:`BAD_CHECKSUM` are not rejections; the rest are reject reasons.
    The numbers are stable: they are stored in counters and reject logs.
    """

    OK = 0
    """The line is (part of) a message that was decoded."""
    METADATA = 1
    """A receiver metadata line: ``$PGHP`` timestamp or a tag block on its own."""
    NOT_AIS = 2
    """Not an AIS sentence (blank, comment, other NMEA such as ``$GPGGA``); skipped."""
    BAD_CHECKSUM = 3
    """NMEA checksum does not match (strict policy only)."""
    NO_CHECKSUM = 4
    """The sentence has no ``*hh`` checksum (strict policy only)."""
    BAD_PREFIX = 5
    """Starts like an encapsulated sentence but is not ``!xxVDM``/``!xxVDO`` with 7 fields."""
    TOO_LONG = 6
    """Line, sentence payload or assembled message longer than the configured limits."""
    NON_ASCII = 7
    """The line holds bytes outside printable ASCII."""
    BAD_FRAGMENT = 8
    """Fragment count/number out of range, or a fragment received twice."""
    FRAGMENT_TIMEOUT = 9
    """A fragment whose message never completed (evicted by age, line window or end)."""
    BAD_TAG_BLOCK = 10
    """Malformed NMEA 4.10 tag block (or a bad tag block checksum under strict policy)."""
    UNKNOWN_TYPE = 11
    """Message type 0 or 28-63, which ITU-R M.1371 does not define."""
    BAD_FIELD = 12
    """A field value that makes the message undecodable (e.g. type 24 part number 2 or 3)."""
    EMPTY_PAYLOAD = 13
    """The sentence carries no payload."""
    BAD_PAYLOAD = 14
    """Payload holds a character outside the six-bit armour, or fill bits are not 0-5."""
    TOO_SHORT = 15
    """The payload is shorter than the shortest valid message of its type."""


#: Outcomes that are not rejections.
ACCEPTED = frozenset({Outcome.OK, Outcome.METADATA, Outcome.NOT_AIS})

#: Reject reasons, in code order.
REJECT_REASONS = tuple(o for o in Outcome if o not in ACCEPTED)

#: One-line explanation of each outcome, for logs, summaries and docs.
DESCRIPTIONS: dict[Outcome, str] = {o: (o.__doc__ or "").strip() for o in Outcome}


def outcome_name(code: int) -> str:
    """Lower-case name of an outcome code, as used in summaries (``bad_checksum``)."""
    return Outcome(code).name.lower()


class AisError(Exception):
    """The only exception the AIS decoder raises; ``code`` says why."""

    def __init__(self, code: Outcome, message: str) -> None:
        super().__init__(message)
        self.code = code

    def __str__(self) -> str:
        return f"{outcome_name(self.code)}: {self.args[0]}"
