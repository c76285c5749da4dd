"""The demo platform: simulated history ingested, a live simulated feed, and the web UI.

Used by ``make run``. On first start the simulation covers the ``hours`` before now; it is
written to an NMEA file and ingested, the area's zones are imported, and two demo accounts
are created (a duty officer and a supervisor, with generated passwords shown once and kept
in ``demo-logins.txt`` in the data directory, readable by its owner only). Then the same
fleet keeps sailing in real time, sent over TCP to the ingester, with the supervision rules
running live, and the web platform serves at http://127.0.0.1:8000.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from pathlib import Path

from rich.console import Console

from seawarden.db.engine import connect, database_url
from seawarden.geo.formats import read_geojson
from seawarden.ingest.cli import print_summary
from seawarden.ingest.pipeline import IngestConfig, Ingester
from seawarden.ingest.sources import LiveSource
from seawarden.security import accounts
from seawarden.security.actor import cli_actor
from seawarden.sim.area import zones_geojson
from seawarden.sim.engine import SimConfig, Simulation
from seawarden.sim.output import LiveFeed, companion, write_files
from seawarden.supervision.zonestore import load_zones, save_zones

DEMO_ORG = "DEMO-ZJ"


def _demo_accounts(data_dir: Path, console: Console) -> None:
    engine = connect(database_url(data_dir))
    logins = data_dir / "demo-logins.txt"
    if logins.exists():
        console.print(f"demo logins: {logins}")
        return
    who = cli_actor("demo-setup")
    if DEMO_ORG not in {o["code"] for o in accounts.list_organisations(engine, who)}:
        accounts.create_organisation(engine, who, DEMO_ORG, "浙江海事局（演示）", None, "province")
    lines = []
    for name, role in (("duty", "duty_officer"), ("supervisor", "supervisor")):
        password = "Sw-" + secrets.token_urlsafe(12)
        accounts.create_user(engine, who, name, password, [role], DEMO_ORG, bootstrap=True)
        lines.append(f"{name}\t{password}\t{role}")
    logins.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(logins, 0o600)
    console.print("[bold]demo logins[/bold] (also in " + str(logins) + "):")
    for line in lines:
        console.print("  " + line.replace("\t", "  "), highlight=False)


def run_demo(
    data_dir: Path,
    vessels: int,
    hours: float,
    port: int,
    duration: float | None,
    seed: int,
    web_port: int | None = 8000,
    host: str = "127.0.0.1",
) -> None:
    """Simulate, ingest, then feed and ingest live traffic and serve the web UI until stopped."""
    console = Console(stderr=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    now = int(time.time()) * 1000
    marker = data_dir / "demo-start.txt"
    if marker.exists():
        start = int(marker.read_text())
    else:
        start = now - int(hours * 3_600_000)
        marker.write_text(str(start))
    sim = Simulation(
        SimConfig(vessels=vessels, hours=(now - start) / 3_600_000, start_ms=start, seed=seed)
    )
    engine = connect(database_url(data_dir))
    if not load_zones(engine):
        save_zones(engine, read_geojson(zones_geojson(sim.area)), cli_actor("demo-setup"))
    _demo_accounts(data_dir, console)
    history = data_dir / "history.nmea"
    config = IngestConfig.from_settings()
    config.commit_seconds = 1.0
    ingester = Ingester(data_dir, config)
    live_rules = ingester.supervise(engine=engine)
    if not ingester.store.commit.files:
        console.print(
            f"[bold]Seawarden demo[/bold]: simulating {vessels} vessels "
            f"off Ningbo-Zhoushan, {hours:g} h"
        )
        write_files(sim, history)
        summary = ingester.run_files([str(history), str(companion(history, ".beidou.jsonl"))])
        print_summary(summary, console)
    stop = threading.Event()
    feed = LiveFeed(sim, f"tcp://127.0.0.1:{port}")

    def started(sources: list[LiveSource]) -> None:
        threading.Thread(target=feed.run, daemon=True, name="live-feed").start()
        console.print(
            f"live feed: {len(sim.fleet)} vessels -> tcp://127.0.0.1:{port}; data in {data_dir}"
        )

    result: dict[str, object] = {}

    def ingest() -> None:
        result["summary"] = ingester.run_live(
            [f"tcp-listen://127.0.0.1:{port}"], stop, max_seconds=duration, started=started
        )

    worker = threading.Thread(target=ingest, name="ingest", daemon=True)
    worker.start()
    if web_port:
        import uvicorn

        from seawarden.web.app import create_app
        from seawarden.web.cli import quiet_garbage_collector

        app = create_app(data_dir)
        quiet_garbage_collector()
        server = uvicorn.Server(uvicorn.Config(app, host=host, port=web_port, log_level="warning"))
        if duration is not None:
            threading.Timer(duration, lambda: setattr(server, "should_exit", True)).start()
        console.print(f"[bold]Seawarden[/bold] on http://{host}:{web_port}  (Ctrl-C stops)")
        server.run()
        feed.stop.set()
        stop.set()
    worker.join()
    feed.stop.set()
    live_rules.close()
    if "summary" in result:
        print_summary(result["summary"], console)  # type: ignore[arg-type]
