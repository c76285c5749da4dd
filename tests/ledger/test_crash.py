"""kill -9 during appends (several writers, several times) leaves no gap and no duplicate."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from seawarden.ledger import service
from seawarden.ledger.audit import audit
from seawarden.ledger.tables import ledger_leaves

from .helpers import OPERATOR, PUBLIC

WRITER = Path(__file__).with_name("crash_writer.py")
ROUNDS = 4


def _url(engine: Any) -> str:
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            path = conn.execute(text("SHOW search_path")).scalar_one()
        url += f"?options=-csearch_path%3D{path}"
    return url


def _wait_ready(proc: subprocess.Popen[str], errors: Path) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        proc.wait()
        proc.stdout.close()
        raise AssertionError(f"writer did not start: {line!r}\n{errors.read_text()[-3000:]}")


def test_kill_9_during_appends(db_engine: Any, tmp_path: Path) -> None:
    service.create_log(db_engine, OPERATOR, "crash", "crash.example/log")
    url = _url(db_engine)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    rng = random.Random(7)
    sizes = []
    for round_ in range(ROUNDS):
        logs = [tmp_path / f"writer-{round_}-{w}.log" for w in range(2)]
        procs = []
        for w, log in enumerate(logs):
            with log.open("w") as err:
                procs.append(
                    subprocess.Popen(
                        [sys.executable, str(WRITER), url, str(round_ * 10 + w)],
                        stdout=subprocess.PIPE,
                        stderr=err,
                        text=True,
                        env=env,
                        cwd=str(Path(__file__).parents[2]),
                    )
                )
        for p, log in zip(procs, logs, strict=True):
            _wait_ready(p, log)
        time.sleep(rng.uniform(0.4, 1.2))
        for p in procs:
            os.kill(p.pid, signal.SIGKILL)
        for p in procs:
            p.wait()
            if p.stdout is not None:
                p.stdout.close()
            assert p.returncode == -signal.SIGKILL
        sizes.append(service.get_log(db_engine, PUBLIC, "crash").size)
        with db_engine.connect() as conn:
            count, low, high = conn.execute(
                select(func.count(), func.min(ledger_leaves.c.idx), func.max(ledger_leaves.c.idx))
            ).one()
        assert count == sizes[-1]
        assert (low, high) == (0, count - 1)  # with the primary key: no gap, no duplicate
    assert sizes == sorted(sizes) and sizes[-1] > sizes[0] > 0
    (report,) = audit(db_engine)
    assert report.first is None, report.findings[:3]
