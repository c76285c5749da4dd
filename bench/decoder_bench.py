"""Decoder throughput: Seawarden's batch and streaming paths against pyais and libais.

All decoders run in this one process over the same corpus, one core, best of N runs.
Messages per second counts the messages each decoder actually produced.
"""

from __future__ import annotations

import gc
import io
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpus import corpus
from seawarden.ais import Decoder, decode_batch, iter_messages, iter_records

RESULTS = Path(__file__).resolve().parent / "results"


def best_of(fn: Callable[[], int], repeats: int) -> tuple[float, int]:
    """(best seconds, messages) over ``repeats`` runs."""
    best = float("inf")
    count = 0
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        count = fn()
        best = min(best, time.perf_counter() - t0)
    return best, count


def seawarden_batch(data: bytes) -> int:
    decoder = Decoder()
    tables = decode_batch(data, decoder=decoder)
    return sum(t.num_rows for t in tables.values())


def seawarden_stream(data: bytes) -> int:
    n = 0
    for _ in iter_messages(io.BytesIO(data)):
        n += 1
    return n


def seawarden_records(data: bytes) -> int:
    n = 0
    for _ in iter_records(io.BytesIO(data)):
        n += 1
    return n


def pyais_stream(lines: list[bytes]) -> int:
    from pyais.stream import ByteStream

    n = 0
    for raw in ByteStream(lines):
        try:
            raw.decode()
            n += 1
        except Exception:  # pyais raises on messages it cannot decode
            pass
    return n


def libais_payloads(payloads: list[tuple[str, int]]) -> int:
    import ais

    n = 0
    decode = ais.decode
    for payload, fill in payloads:
        try:
            decode(payload, fill)
            n += 1
        except Exception:  # libais raises DecodeError on what it rejects
            pass
    return n


def single_sentence_payloads(lines: list[bytes]) -> list[tuple[str, int]]:
    """Payloads of single-sentence messages (libais's decode() has no framing)."""
    out = []
    for line in lines:
        start = line.find(b"!")
        if start < 0:
            continue
        parts = line[start:].split(b"*")[0].split(b",")
        if len(parts) == 7 and parts[1] == b"1" and parts[5]:
            fill = parts[6][:1]
            out.append((parts[5].decode("ascii", "replace"), int(fill) if fill.isdigit() else 0))
    return out


def run(repeats: int = 5, target_messages: int = 400_000) -> dict[str, Any]:
    base, names = corpus()
    base_messages = seawarden_batch(base)
    copies = max(1, target_messages // max(base_messages, 1))
    data = base * copies
    lines = [line for line in data.splitlines() if b"VD" in line]
    # The AIS sentence lines only: what every decoder is given for the ratios. pyais and
    # libais need non-AIS lines removed; Seawarden also runs over the raw corpus.
    sentences = b"\n".join(lines) + b"\n"
    payloads = single_sentence_payloads(lines)
    seawarden_batch(data[:100_000])  # compile / load the kernels first
    results: dict[str, Any] = {
        "corpus": {
            "files": names,
            "copies": copies,
            "bytes": len(data),
            "lines": data.count(b"\n"),
            "sentence_lines": len(lines),
            "sentence_bytes": len(sentences),
        },
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
        },
        "repeats": repeats,
        "runs": {},
    }
    runs: dict[str, Callable[[], int]] = {
        "seawarden_batch_raw_corpus": lambda: seawarden_batch(data),
        "seawarden_batch": lambda: seawarden_batch(sentences),
        "seawarden_stream": lambda: seawarden_stream(sentences),
        "seawarden_stream_records": lambda: seawarden_records(sentences),
        "pyais_stream_decode": lambda: pyais_stream(lines),
    }
    try:
        import ais  # noqa: F401

        runs["libais_decode_single_sentence"] = lambda: libais_payloads(payloads)
    except ImportError:
        pass
    best: dict[str, tuple[float, int]] = {}
    # Round-robin so that every decoder sees the same machine conditions.
    for _ in range(repeats):
        for name, fn in runs.items():
            seconds, count = best_of(fn, 1)
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, count)
    for name, (seconds, count) in best.items():
        results["runs"][name] = {
            "seconds": seconds,
            "messages": count,
            "messages_per_second": count / seconds,
        }
        print(
            f"{name:34s} {count:>9,} msgs {seconds:8.3f} s {count / seconds:>12,.0f} msg/s",
            flush=True,
        )
    runs_out = results["runs"]
    ratios = {}
    for ours in (
        "seawarden_batch_raw_corpus",
        "seawarden_batch",
        "seawarden_stream",
        "seawarden_stream_records",
    ):
        for peer in ("pyais_stream_decode", "libais_decode_single_sentence"):
            if peer in runs_out:
                ratios[f"{ours}/{peer}"] = (
                    runs_out[ours]["messages_per_second"] / runs_out[peer]["messages_per_second"]
                )
    results["ratios"] = ratios
    for k, v in ratios.items():
        print(f"{k:60s} {v:6.2f}x")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "decoder.json").write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    run()
