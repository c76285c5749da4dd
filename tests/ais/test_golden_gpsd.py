"""Every record of gpsd's expected output reproduced field for field.

The only differences allowed are the documented ones (docs/ais/gpsd-differences.md):
they are either rules in gpsd_compare.compare_record or listed below by input line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from seawarden.ais import Decoder, iter_messages
from tests.ais.gpsd_compare import align, compare_record, load_gold, merge_type24

# (input line, field): why our value differs from gpsd's.
BEYOND_PAYLOAD = "field lies beyond the end of the payload: gpsd decodes padding bits"
PARTIAL_ELEMENT = "gpsd decodes an array element that is cut off by the payload end"
SAMPLE_DIFFERENCES = {
    (211, "eta"): BEYOND_PAYLOAD,
    (211, "dangerous"): BEYOND_PAYLOAD,
    (211, "imdcat"): BEYOND_PAYLOAD,
    (213, "tidals"): PARTIAL_ELEMENT,
    (215, "destination"): BEYOND_PAYLOAD,
    (230, "mmsi3"): BEYOND_PAYLOAD,
    (240, "mmsi3"): BEYOND_PAYLOAD,
    (1030, "destination"): BEYOND_PAYLOAD,
    (1034, "destination"): BEYOND_PAYLOAD,
    (1036, "tidals"): PARTIAL_ELEMENT,
    (1037, "tidals"): PARTIAL_ELEMENT,
    (1098, "radio"): BEYOND_PAYLOAD,
}


def _differences(ours: list[dict], gold: list[dict], scaled: bool) -> tuple[set, int]:
    pairs, only_ours, only_gold = align(ours, gold)
    assert only_ours == [] and only_gold == [], "messages gpsd and Seawarden disagree on"
    found = set()
    for o, g in pairs:
        for problem in compare_record(o, g, scaled):
            found.add((o["line"], problem.split(":")[0].split("[")[0]))
    return found, len(pairs)


@pytest.mark.parametrize(
    ("chk", "scaled"), [("gpsd__sample.aivdm.js.chk", True), ("gpsd__sample.aivdm.ju.chk", False)]
)
def test_sample_aivdm(ais_data: Path, chk: str, scaled: bool) -> None:
    with open(ais_data / "gpsd__sample.aivdm", "rb") as fh:
        ours = merge_type24(list(iter_messages(fh, scaled=scaled)))
    gold = load_gold(ais_data / chk)
    found, paired = _differences(ours, gold, scaled)
    assert paired == len(gold) == 97
    assert found == set(SAMPLE_DIFFERENCES)


# (file, records, whether gpsd's log repeats every record: it reported to two clients)
DAEMON_LOGS = [
    ("gpsd__ais-nmea-type6-fid55.log", 1265, False),
    ("gpsd__ais-nmea.log", 166, True),
    ("gpsd__ais-18-27.log", 138, False),
    ("gpsd__ais-raw-messages.log", 108, False),
    ("gpsd__ais_unpack_sixbit.log", 12, False),
]


@pytest.mark.parametrize(("name", "records", "repeated"), DAEMON_LOGS)
def test_daemon_logs(ais_data: Path, name: str, records: int, repeated: bool) -> None:
    """gpsd's daemon output (unscaled) matches exactly."""
    decoder = Decoder()
    with open(ais_data / name, "rb") as fh:
        ours = merge_type24(list(iter_messages(fh, scaled=False, decoder=decoder)))
    gold: list[dict] = []
    for rec in load_gold(ais_data / f"{name}.chk"):
        if not (repeated and gold and gold[-1] == rec):
            gold.append(rec)
    found, paired = _differences(ours, gold, False)
    assert paired == len(gold) == records
    assert found == set()
    assert decoder.stats().balanced()


def test_type24_invalid_part_number_is_rejected(ais_data: Path) -> None:
    """ais-18-27.log has 69 type 24 sentences with part number 3 (pyais raises on them)."""
    decoder = Decoder()
    with open(ais_data / "gpsd__ais-18-27.log", "rb") as fh:
        messages = list(iter_messages(fh, decoder=decoder))
    stats = decoder.stats()
    assert stats.outcomes["bad_field"] == 69
    assert sum(1 for m in messages if m["type"] == 24) == 69
    assert stats.balanced()
