"""Tank readings over MQTT into alarms (needs the local Mosquitto broker; skipped without it)."""

from __future__ import annotations

import socket
import time
import uuid

import pytest
from sqlalchemy import Engine

from seawarden.dangerous_goods.alarms import list_alarms
from seawarden.dangerous_goods.errors import InvalidInputError
from seawarden.dangerous_goods.mqtt import SensorListener, SimulatedTank, parse_message, simulate
from seawarden.security.actor import SYSTEM

from .helpers import ENT_A, build

HOST, PORT = "127.0.0.1", 1883


def broker() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=1):
            return True
    except OSError:
        return False


def test_parse_message() -> None:
    r = parse_message("seawarden/dg/12/temperature_c", b'{"value": 41.5, "at_ms": 5}')
    assert (r.tank_id, r.quantity, r.value, r.at_ms) == (12, "temperature_c", 41.5, 5)
    assert parse_message("seawarden/dg/3/level_m", b"17.25").value == 17.25
    for topic, payload in [
        ("other/12/temperature_c", b"1"),
        ("seawarden/dg/x/temperature_c", b"1"),
        ("seawarden/dg/12", b"1"),
        ("seawarden/dg/12/temperature_c", b"hot"),
        ("seawarden/dg/12/temperature_c", b'{"value": "hot"}'),
        ("seawarden/dg/12/temperature_c", b'{"value": 1, "at_ms": "now"}'),
        ("seawarden/dg/12/temperature_c", b"\xff\xfe"),
    ]:
        with pytest.raises(InvalidInputError):
            parse_message(topic, payload)


@pytest.mark.skipif(not broker(), reason="no MQTT broker on 127.0.0.1:1883")
def test_simulated_readings_become_alarms(db_engine: Engine) -> None:
    world = build(db_engine)
    prefix = f"seawarden-test/{uuid.uuid4().hex[:8]}"
    listener = SensorListener(db_engine, HOST, PORT, prefix=prefix, actor=SYSTEM)
    listener.start()
    try:
        tanks = [
            SimulatedTank(
                world.tank, {"temperature_c": 25.0, "level_m": 10.0}, {"temperature_c": 65.0}
            ),
            SimulatedTank(999_999, {"temperature_c": 25.0}),
        ]
        sent = simulate(
            tanks, HOST, PORT, prefix=prefix, readings=5, excursion_probability=0.5, seed=3
        )
        assert sent == 15
        deadline = time.monotonic() + 20
        while listener.stats.received < sent and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        listener.stop()
    s = listener.stats
    assert s.received == 15 and s.stored == 10 and s.rejected == 5  # tank 999999 does not exist
    assert all(e.startswith("not_found") for e in s.errors)
    assert s.alarms >= 1
    assert any(a["quantity"] == "temperature_c" for a in list_alarms(db_engine, ENT_A, state=None))
