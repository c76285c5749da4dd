"""Tank sensor readings over MQTT (paho-mqtt), and a simulator for the demo.

Topic ``<prefix>/<tank id>/<quantity>`` (prefix ``seawarden/dg``), payload either a number or
JSON ``{"value": 41.2, "at_ms": 1767225600000}``. The listener stores each reading through
:func:`seawarden.dangerous_goods.alarms.record_reading`; bad messages are counted, never fatal.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import Engine

from seawarden.dangerous_goods.errors import DGError, InvalidInputError
from seawarden.dangerous_goods.sensors import Quantity
from seawarden.security.actor import SYSTEM, Actor

PREFIX = "seawarden/dg"


@dataclass(frozen=True)
class Reading:
    """One decoded sensor message."""

    tank_id: int
    quantity: str
    value: float
    at_ms: int | None


def parse_message(topic: str, payload: bytes | bytearray, prefix: str = PREFIX) -> Reading:
    """A reading from a topic and payload (:class:`InvalidInputError` when malformed)."""
    base = prefix.rstrip("/") + "/"
    if not topic.startswith(base):
        raise InvalidInputError(f"topic outside {prefix}: {topic}")
    parts = topic[len(base) :].split("/")
    if len(parts) != 2 or not parts[0].isdigit():
        raise InvalidInputError(f"topic is {prefix}/<tank id>/<quantity>: {topic}")
    try:
        text = bytes(payload).decode("utf-8").strip()
        data: Any = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInputError(f"payload is a number or JSON: {payload[:40]!r}") from exc
    at = None
    if isinstance(data, dict):
        at = data.get("at_ms")
        data = data.get("value")
    if isinstance(data, bool) or not isinstance(data, int | float):
        raise InvalidInputError(f"reading value is not a number: {data!r}")
    if at is not None and (isinstance(at, bool) or not isinstance(at, int)):
        raise InvalidInputError(f"at_ms is not an integer: {at!r}")
    return Reading(int(parts[0]), parts[1], float(data), at)


@dataclass
class ListenerStats:
    """Counts of the listener."""

    received: int = 0
    stored: int = 0
    rejected: int = 0
    alarms: int = 0
    errors: list[str] = field(default_factory=list)


class SensorListener:
    """Subscribes to tank readings and stores them (one paho network thread)."""

    def __init__(
        self,
        engine: Engine,
        host: str = "127.0.0.1",
        port: int = 1883,
        prefix: str = PREFIX,
        actor: Actor = SYSTEM,
        client_id: str = "",
    ) -> None:
        self.engine = engine
        self.host = host
        self.port = port
        self.prefix = prefix.rstrip("/")
        self.actor = actor
        self.stats = ListenerStats()
        self.connected = threading.Event()
        self._lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        client.subscribe(f"{self.prefix}/+/+", qos=1)
        self.connected.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        from seawarden.dangerous_goods.alarms import record_reading

        with self._lock:
            self.stats.received += 1
            try:
                r = parse_message(msg.topic, msg.payload, self.prefix)
                result = record_reading(
                    self.engine, self.actor, r.tank_id, r.quantity, r.value, r.at_ms
                )
                self.stats.stored += 1
                self.stats.alarms += result["alarm_id"] is not None
            except DGError as exc:
                self.stats.rejected += 1
                if len(self.stats.errors) < 100:
                    self.stats.errors.append(f"{exc.code}: {exc}")
            except Exception as exc:
                self.stats.rejected += 1
                if len(self.stats.errors) < 100:
                    self.stats.errors.append(f"error: {exc}")

    def start(self, timeout_s: float = 5.0) -> None:
        """Connect and start the network thread (waits for the subscription)."""
        self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()
        if not self.connected.wait(timeout_s):
            self.stop()
            raise ConnectionError(f"no MQTT connection to {self.host}:{self.port}")

    def stop(self) -> None:
        """Disconnect and stop the network thread."""
        self.client.disconnect()
        self.client.loop_stop()


@dataclass(frozen=True)
class SimulatedTank:
    """A tank for the simulator: id and the normal value of each quantity."""

    tank_id: int
    normal: dict[str, float]
    excursion: dict[str, float] = field(default_factory=dict)


def simulate(
    tanks: Sequence[SimulatedTank],
    host: str = "127.0.0.1",
    port: int = 1883,
    prefix: str = PREFIX,
    readings: int = 10,
    interval_s: float = 0.0,
    excursion_probability: float = 0.05,
    seed: int = 1,
) -> int:
    """Publish readings for tanks (random walk, occasional excursions); returns messages sent."""
    rng = random.Random(seed)
    for tank in tanks:
        for q in tank.normal:
            Quantity(q)
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.connect(host, port, keepalive=30)
    client.loop_start()
    sent = 0
    try:
        for _ in range(readings):
            for tank in tanks:
                for q, normal in tank.normal.items():
                    value = normal * (1 + rng.gauss(0, 0.01))
                    if q in tank.excursion and rng.random() < excursion_probability:
                        value = tank.excursion[q]
                    payload = json.dumps(
                        {"value": round(value, 3), "at_ms": time.time_ns() // 1_000_000}
                    )
                    info = client.publish(
                        f"{prefix.rstrip('/')}/{tank.tank_id}/{q}", payload, qos=1
                    )
                    info.wait_for_publish(5.0)
                    sent += 1
            if interval_s:
                time.sleep(interval_s)
    finally:
        client.disconnect()
        client.loop_stop()
    return sent
