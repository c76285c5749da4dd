"""Render docs/performance.md from the benchmark JSON (every figure in it comes from there).

``python bench/report.py`` re-renders the document from ``bench/results/*.json`` without
running any benchmark (``python bench/run.py report`` does the same). A section whose JSON
is missing is left out and listed as not measured in the summary.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DOC = HERE.parent / "docs" / "performance.md"

#: Result file of each section, in the order of the document.
FILES = {
    "decoder": "decoder.json",
    "corpus": "corpus.json",
    "ingest": "ingest.json",
    "tracks": "tracks.json",
    "web": "web.json",
    "supervision": "supervision.json",
    "collision": "collision.json",
    "dg": "dg.json",
    "registry": "registry.json",
    "ledger": "ledger.json",
    "segmenter": "segmenter.json",
    "gfw_behaviour": "gfw_behaviour.json",
}
#: Section headings (the summary links to them).
HEADINGS = {
    "decoder": "AIS decoder",
    "ingest": "Ingest",
    "tracks": "Track store",
    "web": "Web platform",
    "supervision": "Supervision",
    "collision": "Collision risk",
    "dg": "Dangerous goods",
    "registry": "Ship register import",
    "ledger": "Ledger",
    "segmenter": "Identity segmenter",
    "gfw_behaviour": "Reporting gaps and loitering against Global Fishing Watch",
}
LABELS = {
    "seawarden_batch_raw_corpus": (
        "Seawarden batch path over the raw corpus (with non-AIS, `$PGHP` and comment lines)"
    ),
    "seawarden_batch": "Seawarden batch path (`decode_batch` -> Arrow tables)",
    "seawarden_stream": "Seawarden streaming path (`iter_messages` -> dicts)",
    "seawarden_stream_records": "Seawarden streaming path (`iter_records` -> typed records)",
    "pyais_stream_decode": "pyais 3.3.1 (`ByteStream` + `decode()`, its fastest path)",
    "libais_decode_single_sentence": (
        "libais 0.17 (`ais.decode(payload, fill)`, single-sentence payloads, no framing)"
    ),
}
#: The decoder's targets (messages/s on one server core, and the same as a ratio to pyais).
TARGETS = {
    "seawarden_batch": (3_000_000, 20.0),
    "seawarden_stream": (500_000, 2.5),
    "seawarden_stream_records": (500_000, 2.5),
}
TARGET_NAMES = {
    "seawarden_batch": "decoder, batch path (`decode_batch`)",
    "seawarden_stream": "decoder, streaming path (`iter_messages`)",
    "seawarden_stream_records": "decoder, streaming path (`iter_records`)",
}


def _fmt(n: float) -> str:
    return f"{n:,.0f}"


def _yes(flag: bool) -> str:
    return "met" if flag else "**not met**"


def _met(flag: bool | None) -> str:
    return "not measured" if flag is None else _yes(flag)


def _load(name: str) -> dict | None:
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else None


def _anchor(heading: str) -> str:
    """The GitHub anchor of a heading."""
    return "#" + re.sub(r"[^a-z0-9 _-]", "", heading.lower()).replace(" ", "-")


def _machine(m: dict[str, Any]) -> str:
    """'Python 3.11.7, 2 CPUs (x86_64)' from whatever a result recorded about its machine."""
    cpu = m.get("cpu") or m.get("processor")
    cpus = f"{m['cpus']} CPUs" if m.get("cpus") else "CPU count not recorded"
    return f"Python {m.get('python', '?')}" + (f" on {cpu}" if cpu else "") + f" ({cpus})"


def wrap(text: str, width: int = 92) -> str:
    """Reflow paragraphs and list items at ``width``; tables, headings and code stay as they are."""
    out: list[str] = []
    para: list[str] = []
    indent = ""

    def flush() -> None:
        if para:
            out.extend(
                textwrap.fill(
                    " ".join(para),
                    width,
                    subsequent_indent=indent,
                    break_on_hyphens=False,
                    break_long_words=False,
                ).split("\n")
            )
            para.clear()

    for line in text.split("\n"):
        if not line.strip() or line.startswith(("|", "#", "    ", "```")):
            flush()
            out.append(line)
        elif line.startswith("- "):
            flush()
            indent = "  "
            para.append(line.rstrip())
        else:
            if not para:
                indent = ""
            para.append(line.strip())
    flush()
    return "\n".join(out)


def render_decoder(decoder: dict, corpus: dict | None) -> list[str]:
    """The "AIS decoder" section, from bench/results/decoder.json and corpus.json."""
    runs = decoder["runs"]
    c = decoder["corpus"]
    pyais = runs.get("pyais_stream_decode", {}).get("messages_per_second")
    lines = [
        "",
        f"## {HEADINGS['decoder']}",
        "",
        "From `bench/results/decoder.json` (`bench/decoder_bench.py`). Every decoder runs in one",
        "process, on one core, over the same bytes; each run is repeated"
        f" {decoder['repeats']} times round-robin and the best time is kept. Messages per",
        "second counts the messages each decoder actually produced. Machine:"
        f" {_machine(decoder['machine'])}.",
        "",
        "### Corpus",
        "",
        f"{len(c['files'])} real captures ({', '.join(c['files'])}), concatenated and repeated",
        f"{c['copies']} times: {_fmt(c['bytes'])} bytes, {_fmt(c['lines'])} lines, of which"
        f" {_fmt(c['sentence_lines'])} lines ({_fmt(c['sentence_bytes'])} bytes) are AIS"
        " sentences.",
        "Every decoder is given those sentence lines (pyais and libais cannot skip the other",
        "lines themselves); Seawarden is also measured over the raw corpus.",
        "The testing-only AMSA/exactEarth/Norwegian captures are included when a local copy",
        "of the shared data is present; they are never committed.",
        "",
        "### Results",
        "",
        "| decoder | messages | seconds | messages/s | vs pyais |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in runs.items():
        ratio = f"{r['messages_per_second'] / pyais:.1f}x" if pyais else ""
        lines.append(
            f"| {LABELS.get(name, name)} | {_fmt(r['messages'])} | {r['seconds']:.3f} | "
            f"{_fmt(r['messages_per_second'])} | {ratio} |"
        )
    lines += ["", "#### Ratios", "", "| ours / peer | ratio |", "|---|---:|"]
    for key, value in decoder["ratios"].items():
        lines.append(f"| {key} | {value:.2f}x |")
    lines += [
        "",
        "### Against the targets",
        "",
        "The targets were set for a typical server core, which is faster than this machine's;",
        f"here pyais runs at {_fmt(pyais or 0)} messages/s, so the ratio to pyais is the figure",
        "that carries over between machines. Both are given; a target is met when the",
        "messages/s are reached on this machine.",
        "",
        "| path | target | measured | target ratio to pyais | measured ratio | |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, (absolute, ratio) in TARGETS.items():
        if name not in runs or not pyais:
            continue
        mps = runs[name]["messages_per_second"]
        lines.append(
            f"| {name} | {_fmt(absolute)} msg/s | {_fmt(mps)} msg/s | {ratio:.1f}x "
            f"| {mps / pyais:.1f}x | {_yes(mps >= absolute)} |"
        )
    if corpus:
        lines += [
            "",
            "### Corpus validation",
            "",
            "`bench/validate_corpus.py` (`bench/results/corpus.json`) decodes every capture with",
            "both paths, checks that the line counters add up and the paths agree, and compares",
            "every field with pyais.",
            "",
            "| capture | lines | messages | counters add up | paths agree "
            "| fields compared with pyais | disagreements |",
            "|---|---:|---:|:-:|:-:|---:|---:|",
        ]
        for name, r in corpus.items():
            p = r.get("pyais", {})
            lines.append(
                f"| {name} | {_fmt(r['lines'])} | {_fmt(r['messages'])} | "
                f"{'yes' if r['balanced'] else 'NO'} | {'yes' if r['paths_agree'] else 'NO'} | "
                f"{_fmt(p.get('fields_compared', 0))} | {p.get('disagreement_count', '')} |"
            )
    lines += [
        "",
        "### Method notes",
        "",
        "- The batch figure includes framing, reassembly, bit decoding, scaling and building",
        "  the Arrow tables of every family, including the JSON of decoded binary applications.",
        "- The streaming figures include building one Python object per message; dicts cost more",
        "  to build than named tuples, which is why `iter_records` exists.",
        "- libais is measured on pre-split single-sentence payloads because its `decode()` does",
        "  no NMEA framing or reassembly; it is therefore an upper bound for libais.",
    ]
    return lines


INGEST_LABELS = {
    "seawarden_ingest": "Seawarden (`Ingester.run_files`, fresh data directory)",
    "pyais_pandas": "pyais 3.3.1 + pandas (decode, DataFrame, dedupe, sort, Parquet by day)",
}


def render_ingest(r: dict) -> list[str]:
    """The "Ingest" section, from bench/results/ingest.json."""
    inp = r["input"]
    runs = r["runs"]
    ours = runs["seawarden_ingest"]
    check = r["positions_check"]
    target = r["target"]
    out = [
        "",
        f"## {HEADINGS['ingest']}",
        "",
        "From `bench/results/ingest.json` (`bench/ingest_bench.py`). End-to-end ingest of one",
        "NMEA file from the traffic simulator (`seawarden.sim`; every line has a tag block with",
        "the receiving station and receive time, and most transmissions are heard by several",
        f"stations): {_fmt(inp['vessels'])} vessels over {inp['hours']:g} hours from"
        f" {inp['start']}, {_fmt(inp['lines'])} lines, {_fmt(inp['bytes'])} bytes,"
        f" {_fmt(inp['position_transmissions_received'])} position transmissions received.",
        "",
        "- Seawarden: `Ingester(fresh data dir).run_files([file])`: raw archive, strict decode,",
        "  positions with event time, cross-station duplicates, segmentation, latest table,",
        "  vessel particulars, Parquet parts, compaction and atomic commits.",
        "- pyais + pandas, the same work written with the usual tools: pyais's stream",
        "  (`ByteStream` + `decode()`) with checksum and tag-block checks, a DataFrame of the",
        "  position reports (types 1, 2, 3, 18, 19, 27), unavailable positions dropped, the same",
        "  event time (minute of the receive time + the report's UTC second), copies of one",
        "  payload within 30 s dropped (first kept, stations counted), sorted by MMSI and time,",
        "  Parquet partitioned by day.",
        "",
        f"Both run in one process pinned to {r['machine']['cores_used']} core, best of"
        f" {r['repeats']} runs round-robin. Machine: Python {r['machine']['python']},"
        f" {r['machine']['cpus']} CPUs ({r['machine']['cpu']})"
        + (
            f"; 1-minute load average {r['machine']['load_average_1min'][0]:.2f} before and"
            f" {r['machine']['load_average_1min'][1]:.2f} after the runs."
            if "load_average_1min" in r["machine"]
            else "."
        ),
        "",
        "| pipeline | input | lines | messages | positions stored | seconds | lines/s "
        "| messages/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, run in runs.items():
        out.append(
            f"| {INGEST_LABELS.get(name, name)} | {run['input']} | {_fmt(run['lines'])} | "
            f"{_fmt(run['messages'])} | {_fmt(run['positions_stored'])} | "
            f"{run['seconds']:.2f} | {_fmt(run['lines_per_second'])} | "
            f"{_fmt(run['messages_per_second'])} |"
        )
    out += [
        "",
        f"Seawarden / pyais + pandas: {r['ratio']['lines_per_second']:.1f}x lines per second,"
        f" {r['ratio']['messages_per_second']:.1f}x messages per second.",
        "",
        "| target | measured | |",
        "|---|---:|---|",
        f"| {_fmt(target['messages_per_second'])} messages/s on {target['cores']} core |"
        f" {_fmt(target['measured'])} messages/s | {_yes(target['met'])} |",
        "",
        f"Positions stored from the same {_fmt(check['lines'])} lines: Seawarden"
        f" {_fmt(check['seawarden'])}, pyais + pandas {_fmt(check['pyais_pandas'])}"
        f" ({check['relative_difference']:+.3%}); the simulator's ground truth counts"
        f" {_fmt(check['transmissions_received_whole_file'])} position transmissions received"
        f" in the whole file. {r.get('note', '')}".rstrip(),
    ]
    stages = ours.get("stages")
    if stages:
        total = ours["stages_run_seconds"]
        out += [
            "",
            "### Where Seawarden's ingest time goes",
            "",
            f"One extra run with timers around the pipeline's stages ({total:.2f} s in all;"
            " not one of the timed runs):",
            "",
            "| stage | seconds | share |",
            "|---|---:|---:|",
        ]
        for stage, sec in sorted(stages.items(), key=lambda kv: -kv[1]):
            out.append(f"| {stage} | {sec:.2f} | {sec / total:.0%} |")
    theirs = runs.get("pyais_pandas", {}).get("stages")
    if theirs:
        total = runs["pyais_pandas"]["seconds"]
        out += [
            "",
            "pyais + pandas, best run:",
            "",
            "| stage | seconds | share |",
            "|---|---:|---:|",
        ]
        for stage, sec in theirs.items():
            out.append(f"| {stage} | {sec:.2f} | {sec / total:.0%} |")
    return out


def _mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


def render_tracks(r: dict) -> list[str]:
    """The "Track store" section, from bench/results/tracks.json."""
    st = r["store"]
    m = r["machine"]
    out = [
        "",
        f"## {HEADINGS['tracks']}",
        "",
        "From `bench/results/tracks.json` (`bench/tracks_bench.py`). A store of synthetic",
        "positions built with `TrackStore.write_parts`/`publish` (6-hour batches) and",
        f"`compact`: {_fmt(st['vessels'])} vessels over {st['days']} days from {st['start']},"
        " each on a smooth random track reporting every"
        f" {st['report_interval_s'][0]}-{st['report_interval_s'][1]} s.",
        f"{_fmt(st['rows'])} positions in {_fmt(st['files'])} files,"
        f" {_fmt(st['bytes'])} bytes ({_mb(st['bytes'])},"
        f" {st['bytes_per_position']:.1f} bytes per position, all layouts):",
        "",
        "| layout | files | bytes |",
        "|---|---:|---:|",
    ]
    for layout, info in st["layouts"].items():
        out.append(f"| `{layout}/` | {_fmt(info['files'])} | {_fmt(info['bytes'])} |")
    out += [
        "",
        "Queries run through `TrackQuery` in one process ("
        + (
            f"pyarrow's reader with {m['pyarrow_cpu_threads']} threads"
            if "pyarrow_cpu_threads" in m
            else f"DuckDB {m.get('duckdb_threads', 1)} thread"
        )
        + ","
        f" page cache {m['page_cache']}); Python {m['python']}, {m['cpus']} CPUs"
        + (
            f", 1-minute load average {m['load_average_1min'][0]:.2f} before and"
            f" {m['load_average_1min'][1]:.2f} after the timed queries."
            if "load_average_1min" in m
            else "."
        ),
        "",
        "A target is met when both the median and the p95 are under it.",
        "",
        "| query | queries | median | p95 | rows returned (median) | target | |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name in ("track", "snapshot", "latest"):
        q = r[name]
        target = f"< {q['target_ms']:.0f} ms" if "target_ms" in q else ""
        met = _yes(q["met"]) if "met" in q else ""
        out.append(
            f"| {q['query']} | {q['queries']} | {q['median_ms']:.1f} ms | {q['p95_ms']:.1f} ms |"
            f" {_fmt(q['rows_median'])} | {target} | {met} |"
        )
    out += [
        "",
        "### What the queries read",
        "",
        "What one query of each kind reads (both go through pyarrow: the row groups are counted"
        " from the files' statistics):",
        "",
        "| query | files read | row groups read / candidates | rows scanned | rows returned "
        "| DuckDB time | whole call |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in ("track", "snapshot"):
        p = r[name]["profile"]
        files = p.get("files_read") or sum(
            int(op.get("files_read") or 0) for op in p.get("operators", [])
        )
        engine = (
            f"{p['duckdb_seconds'] * 1000:.1f} ms"
            if p.get("duckdb_seconds") is not None
            else "— (pyarrow)"
        )
        out.append(
            f"| {name} | {files} | {_fmt(p['row_groups_scanned'])} /"
            f" {_fmt(p['row_groups_to_scan'])} | {_fmt(p['rows_scanned'])} |"
            f" {_fmt(p['rows_returned'])} | {engine} |"
            f" {p['call_seconds'] * 1000:.1f} ms |"
        )
    over = r.get("overheads")
    if over:
        out += ["", f"{over['note']} Measured: {over['connect_ms']:.1f} ms."]
    track_d = r["track"].get("diagnosis") or {}
    snap_d = r["snapshot"].get("diagnosis") or {}
    rows = []
    if "same_sql_open_connection_ms" in track_d:
        rows.append(
            f"| track: the same SQL on a connection kept open |"
            f" {track_d['same_sql_open_connection_ms']:.1f} ms |"
        )
    if "same_sql_open_connection_ms" in snap_d:
        rows.append(
            f"| snapshot: the same SQL on a connection kept open |"
            f" {snap_d['same_sql_open_connection_ms']:.1f} ms |"
        )
    if "scan_window_only_ms" in snap_d:
        rows.append(
            f"| snapshot: only reading the window ({_fmt(snap_d['rows_in_window'])} rows,"
            f" all columns) | {snap_d['scan_window_only_ms']:.1f} ms |"
        )
    if "last_by_max_time_join_ms" in snap_d:
        rows.append(
            "| snapshot: last position per vessel by a join on `max(time)` instead of"
            f" `row_number()` ({_fmt(snap_d['last_by_max_time_join_rows'])} rows) |"
            f" {snap_d['last_by_max_time_join_ms']:.1f} ms |"
        )
    if rows:
        out += [
            "",
            "The profiled queries' SQL re-run on one open connection (same settings, same",
            "files, median of repeated runs), to separate the connection from the query",
            "itself; the last row is an experiment, not what the store runs:",
            "",
            "| variant | median |",
            "|---|---:|",
            *rows,
        ]
    return out


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def live_met(live: dict) -> bool | None:
    """The live target: judged only when the run had the target's number of clients."""
    if live["measured"]["clients"] < live["target"]["clients"]:
        return None
    return bool(live.get("met"))


def render_web(r: dict) -> list[str]:
    """The "Web platform" section, from bench/results/web.json."""
    m, d, c = r["machine"], r["data"], r["config"]
    load = m.get("load_average_1min", [0, 0])
    out = [
        "",
        f"## {HEADINGS['web']}",
        "",
        "From `bench/results/web.json` (`bench/web_bench.py`). `seawarden serve`"
        f" ({m['server'].removeprefix('seawarden serve: ')})",
        f"on loopback over {_fmt(d['positions'])} positions of {_fmt(d['vessels'])}"
        f" vessels on {', '.join(d['days'])}",
        "(the store of `bench/supervision_bench.py`, with vessel particulars; the",
        f"latest-position table made from its last {d['latest_built_from_last_hours']} hours),"
        f" SQLite, logged in as a {d['account']['role']}",
        f"of a {d['account']['level']}-level organisation (no supervision grid: it sees every"
        " vessel).",
        "",
        f"HTTP load: wrk `--latency`, {c['wrk_duration_s']} s per run after a"
        f" {c['wrk_warmup_s']} s warm-up, with {min(c['wrk_connections'])} connection",
        f"(the service time) and with {max(c['wrk_connections'])} (the run the targets are"
        " judged on). wrk is closed-loop: each",
        "connection waits for its answer, so latency under more connections is mostly queueing",
        f"for the CPUs (wrk runs on the same machine). Python {m['python']}, {m['cpus']} CPUs"
        f" ({m['cpu']});",
        f"1-minute load average {load[0]:.2f} before and {load[1]:.2f} after (the machine is"
        " shared with other work, so",
        "the figures are noisy).",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    for name, what in (
        ("latest", f"`GET /api/vessels/latest`, {_fmt(d['vessels'])} vessels"),
        ("track", "one vessel's one-day track"),
    ):
        t = r.get(name, {})
        if "target" in t:
            what += f": {t['target']['text']}"
        meas = t.get("measured")
        text = t.get("skipped", "")
        if meas:
            below = t["target"]["below"]
            text = f"p99 {_ms(meas['p99_ms'])} at {meas['connections']} connections"
            if meas["p99_ms"] >= below:
                text += f", {meas['p99_ms'] / below:.1f}x the target"
        out.append(f"| {what} | {text} | {_met(t.get('met'))} |")
    live = r.get("live")
    if live:
        lm = live["measured"]
        out.append(
            f"| {live['target']['clients']} live clients, {_fmt(live['target']['vessels'])}"
            " vessels updated once a second, without falling behind |"
            f" {lm['clients']} clients: lag p99 {_ms(lm['lag_ms']['p99'])};"
            f" {lm['clients_that_missed_updates']} of {lm['clients']} clients missed updates;"
            f" {lm['resync_full_frames_total']} resync frames | {_met(live_met(live))} |"
        )
        if lm["clients"] < live["target"]["clients"]:
            out += [
                "",
                f"The live run had {lm['clients']} clients, not the {live['target']['clients']}"
                " of the target; its checks passed at that load, so the target itself is not"
                " measured.",
            ]
    out += [
        "",
        "### HTTP latency (wrk)",
        "",
        "| request | connections | requests | requests/s | p50 | p90 | p99 | max | errors "
        "| server CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in ("latest", "track"):
        t = r.get(name, {})
        for conns, run in (t.get("runs") or {}).items():
            cpu = run.get("server_cpu_share")
            out.append(
                f"| {t['request']} | {conns} | {_fmt(run['requests'])} |"
                f" {run['requests_per_second']:.1f} | {_ms(run['p50_ms'])} |"
                f" {_ms(run['p90_ms'])} | {_ms(run['p99_ms'])} | {_ms(run['max_ms'])} |"
                f" {sum(run['errors'].values())} | {'' if cpu is None else f'{cpu:.0%}'} |"
            )
    if "latest" in r and "track" in r:
        out += [
            "",
            f"Responses: the latest picture has {_fmt(r['latest']['response']['vessels'])}"
            f" vessels in {_fmt(r['latest']['response']['bytes'])} bytes; a vessel's day has"
            f" {_fmt(r['track']['response']['positions_median_of_20'])} positions (median of"
            f" 20); the track load cycles over {r['track']['vessels_cycled']} vessels.",
        ]
    if live:
        lm = live["measured"]
        fr = lm["frames_received_per_client"]
        out += [
            "",
            "### Live picture (server-sent events)",
            "",
            f"{lm['clients']} clients (asyncio + httpx in the bench process) on `GET /api/live`"
            " while a writer",
            f"process rewrote `latest.parquet` every second ({live['writer']});",
            f"{c['live_warmup_s']} s warm-up, then a {lm['window_s']:g} s window. Lag: from"
            " the writer's replacement of the file to a client having the whole frame that",
            "carries the update (so it includes the live hub's polling interval). A client missed",
            "an update when no frame of its own carried it (frames merged because the client was",
            "behind); a resync is a `full` frame after the first.",
            "",
            "| | |",
            "|---|---:|",
            f"| clients connected | {lm['clients_connected']} of {lm['clients']} |",
            f"| updates written in the window | {lm['updates_written']} |",
            f"| frames the hub produced for them | {lm['frames_produced']} |",
            f"| frames received per client (min / median / max) | {fr['min']} /"
            f" {fr['median']:g} / {fr['max']} |",
            f"| clients that missed updates | {lm['clients_that_missed_updates']} |",
            f"| resync (full) frames | {lm['resync_full_frames_total']} |",
            f"| lag p50 / p90 / p99 / max | {_ms(lm['lag_ms']['p50'])} /"
            f" {_ms(lm['lag_ms']['p90'])} / {_ms(lm['lag_ms']['p99'])} /"
            f" {_ms(lm['lag_ms']['max'])} |",
            f"| spread behind the first client, p50 / p99 | {_ms(lm['fanout_ms']['p50'])} /"
            f" {_ms(lm['fanout_ms']['p99'])} |",
            f"| rows per frame (median) | {_fmt(lm['rows_per_frame_median'])} |",
            f"| received by all clients | {lm['received_mbytes_per_second']:.1f} MB/s |",
            f"| server CPU / bench client CPU | {lm['server_cpu_share']:.0%} /"
            f" {lm['client_process_cpu_share']:.0%} of one core |",
        ]
    dg = r.get("diagnosis")
    if dg:
        la, tr, lv = dg["latest"], dg["track"], dg["live"]
        out += [
            "",
            "### Where the time goes",
            "",
            f"The parts of each request timed in the bench process, without HTTP. {dg['note']}",
            "The rows marked *compare* time the per-row `records()` + `orjson` encoding that"
            " the columnar JSON writer (`seawarden.tracks.json_rows`) replaced.",
            "",
            "| step | time |",
            "|---|---:|",
            f"| session lookup and actor (every request) | {_ms(la['session_and_actor_ms'])} |",
            f"| latest: read `latest.parquet` | {_ms(la['read_latest_parquet_ms'])} |",
            f"| latest: JSON of {_fmt(la['rows'])} rows ({_fmt(la['response_bytes'])} bytes) |"
            f" {_ms(la['positions_json_ms'])} |",
            "| latest: *compare* `records()` + `orjson` |"
            f" {_ms(la['compare_records_and_orjson_ms'])} |",
            f"| track: particulars check, read `latest.parquet` |"
            f" {_ms(tr['particulars_read_latest_ms'])} |",
            f"| track: particulars check, `vessels.parquet` to Python |"
            f" {_ms(tr['particulars_read_vessels_parquet_to_pylist_ms'])} |",
            f"| track: `TrackQuery.track` ({_fmt(tr['positions'])} positions) |"
            f" {_ms(tr['query_track_ms'])} |",
            f"| track: JSON of the positions | {_ms(tr['positions_json_ms'])} |",
            "| track: *compare* `records()` + `orjson` |"
            f" {_ms(tr['compare_records_and_orjson_ms'])} |",
            f"| track: the whole answer as a query worker builds it (`track_answer`) |"
            f" {_ms(tr['track_answer_ms'])} |",
            "| live: hub poll with every vessel changed |"
            f" {_ms(lv['hub_poll_10000_changed_ms'])} |",
            f"| live: one client's frame (`since`, row filter, encode;"
            f" {_fmt(lv['frame_bytes'])} bytes) |"
            f" {_ms(lv['per_client_since_filter_encode_ms'])} |",
            f"| live: the same for all {c['live_clients']} clients, per update |"
            f" {_ms(lv['per_update_all_clients_ms'])} |",
            f"| live: encoding the frame once (orjson only) | {_ms(lv['json_encode_only_ms'])} |",
        ]
    return out


def _bench_markdown(module: str, result: dict) -> list[str]:
    """A section rendered by the benchmark's own ``markdown()`` (supervision, collision)."""
    import importlib
    import sys

    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    text = importlib.import_module(module).markdown(result)
    return ["", *text.rstrip("\n").split("\n")]


def render_dg(r: dict) -> list[str]:
    """The "Dangerous goods" section, from bench/results/dg.json."""
    bay, yd, naive = r["bay_plan"], r["yard"], r.get("naive", {})
    m = r["machine"]
    load = m.get("load_average_1min")
    geometry = bay.get("geometry")
    ship = f" ({geometry})" if geometry else ", about half the stacks in 40-ft units"
    out = [
        "",
        f"## {HEADINGS['dg']}",
        "",
        "From `bench/results/dg.json` (`bench/dg_bench.py`). One process, single-threaded"
        f" Python, not pinned; {_machine(m)}"
        + (
            f"; 1-minute load average {load[0]:.2f} before and {load[1]:.2f} after."
            if load
            else "."
        )
        + " Each Seawarden figure is the best of repeated runs after a warm-up; the peers are",
        "the straightforward implementations measured in the same run:",
        "",
        f"- bay plan: {naive.get('bay_plan', 'every pair of DG units through the scalar rules')};",
        f"- yard: {naive.get('yard', 'a full re-check of the whole yard after the move')}.",
        "",
        f"Bay plan: a full {_fmt(bay['teu'])}-TEU ship{ship}, {_fmt(bay['units'])} containers"
        f" of which {_fmt(bay['dg_units'])} DG (a mix weighted like container traffic),"
        " checked by `check_bay_plan`. Yard:"
        f" {_fmt(yd['slots'])} slots, {_fmt(yd['containers'])} containers of which"
        f" {_fmt(yd['dg_units'])} DG; {_fmt(yd['moves'])} random moves of DG containers, each"
        " re-checked incrementally by `YardState.move` (building the yard state took"
        f" {yd['build_seconds']:.1f} s).",
        "",
        "| check | Seawarden | peer | peer / Seawarden | same findings | target | |",
        "|---|---:|---:|---:|:-:|---|---|",
        f"| bay plan: {_fmt(bay['findings'])} findings, {_fmt(bay['pairs_examined'])} pairs"
        f" examined (peer {_fmt(bay['naive_pairs_examined'])}) | {bay['seconds']:.3f} s |"
        f" {bay['naive_seconds']:.1f} s | ×{bay['speedup']:.1f} |"
        f" {'yes' if bay['same_findings_as_naive'] else 'NO'} |"
        f" < {bay['target_seconds']:g} s | {_yes(bay['meets_target'])} |",
        f"| yard, per move: {_fmt(yd['findings'])} findings after the moves |"
        f" {yd['move_ms_mean']:.2f} ms mean, {yd['move_ms_p50']:.2f} ms p50,"
        f" {yd['move_ms_p99']:.2f} ms p99, {yd['move_ms_max']:.2f} ms max |"
        f" {yd['full_recheck_ms']:,.0f} ms | ×{yd['speedup_mean']:,.0f} (mean) |"
        f" {'yes' if yd['same_findings_as_full_recheck'] else 'NO'} |"
        f" < {yd['target_ms_per_move']:g} ms per move (p99) | {_yes(yd['meets_target'])} |",
    ]
    return out


REGISTRY_RUNS = {
    "sqlite_csv": "CSV into SQLite",
    "postgresql_csv": "CSV into PostgreSQL",
    "sqlite_xlsx": "Excel (.xlsx) into SQLite, for information",
}


def render_registry(r: dict) -> list[str]:
    """The "Ship register import" section, from bench/results/registry.json."""
    m, inp = r["machine"], r["input"]
    after = r.get("load_average_1min_after", m.get("load_average_1min_after"))
    out = [
        "",
        f"## {HEADINGS['registry']}",
        "",
        "From `bench/results/registry.json` (`bench/registry_bench.py`). A file of"
        f" {_fmt(inp['rows'])} ship rows ({len(inp['columns'])} columns:"
        f" {', '.join(inp['columns'])})"
        f" with {_fmt(inp['bad_rows'])} bad rows of {len(inp['bad_kinds'])} kinds"
        f" ({', '.join(inp['bad_kinds'])}), imported into an empty database by"
        " `seawarden.registry.importer.import_file` (the code behind `seawarden registry"
        " import`), timed from opening the file to the committed transaction. The check:",
        "every bad row reported with its line and expected reason, every good row written",
        "(ships, identities with validity periods, registration events). One process, not",
        f"pinned (the PostgreSQL server, when used, runs on the same machine); {_machine(m)};"
        f" 1-minute load average {m.get('load_average_1min_before', '?')} before and"
        f" {after} after. There is no peer: the figure is judged against the target only.",
        "",
        "| import | rows | created | rejected | bad rows reported with line and reason"
        " | good rows written | seconds | of which writing | rows/s | target | |",
        "|---|---:|---:|---:|:-:|:-:|---:|---:|---:|---|---|",
    ]
    for key, label in REGISTRY_RUNS.items():
        x = r.get(key)
        if not x:
            continue
        where = f" ({x['server']})" if x.get("server") else ""
        target = f"< {x['target_seconds']:g} s" if key != "sqlite_xlsx" else "(set for CSV)"
        verdict = _yes(x["met"]) if key != "sqlite_xlsx" else ""
        out.append(
            f"| {label}{where} | {_fmt(x['rows'])} | {_fmt(x['created'])} |"
            f" {_fmt(x['rejected'])} |"
            f" {'yes' if x['every_bad_row_reported_with_line_and_reason'] else 'no'} |"
            f" {'yes' if x['every_good_row_written'] else 'no'} | {x['seconds']:.2f} |"
            f" {x['write_seconds']:.2f} | {_fmt(x['rows_per_second'])} |"
            f" {target} | {verdict} |"
        )
    if "postgresql_csv" not in r:
        out += ["", "PostgreSQL was not measured (no server was named for this run)."]
    csv_run = r["sqlite_csv"]
    table_rows = ", ".join(f"{k} {_fmt(v)}" for k, v in csv_run["table_rows"].items())
    reasons = ", ".join(f"`{k}` {_fmt(v)}" for k, v in csv_run["reasons"].items())
    out += [
        "",
        f"Rows written by the CSV import: {table_rows}. Rejections by reason: {reasons}.",
        "Target: "
        + r.get(
            "target",
            f"{_fmt(inp['rows'])} ships with {_fmt(inp['bad_rows'])} bad rows from CSV in under"
            f" {csv_run['target_seconds']:g} s",
        )
        + f" (every database measured): {_yes(r['met'])}.",
    ]
    x = r.get("sqlite_xlsx")
    if x:
        xr = ", ".join(f"`{k}` {_fmt(v)}" for k, v in x["reasons"].items())
        out += [
            "",
            f"The Excel run is there for information (the target is set for CSV); its"
            f" rejections by reason: {xr}.",
        ]
    return out


def render_ledger(r: dict) -> list[str]:
    """The "Ledger" section, from bench/results/ledger.json."""
    m, a, big, p, t = r["machine"], r["appends"], r["big_tree"], r["proofs"], r["targets"]
    tt = t["appends_per_s_with_checkpoint_each_second"]
    tp = t["proof_ms_10m_leaves"]
    target_leaves = tp.get("target_tree_size", big["size"])
    by_phase = m.get("load_average_1min_by_phase")
    if by_phase:
        load_txt = "1-minute load average as each phase started: " + ", ".join(
            f"{k.replace('_', ' ')} {v:g}" for k, v in by_phase.items()
        )
    else:
        load_txt = f"1-minute load average {m['load_average_1min']:g} at the end"
    cpu = "inclusion_cpu_ms_p50" in p
    out = [
        "",
        f"## {HEADINGS['ledger']}",
        "",
        "From `bench/results/ledger.json` (`bench/ledger_bench.py`). Database:"
        f" {m['database']}, a file on local disk. {_machine(m)}; {load_txt}. Not pinned: the",
        "producers and the writer are threads of one process. There is no peer in this",
        "benchmark: the figures are judged against the targets only.",
        "",
        "### Appends with a checkpoint every second",
        "",
        f"{a['producers']} producer threads submit one {a['entry_bytes']}-byte entry at a time to"
        " a `Sequencer` (one writer thread that appends whatever is queued in one transaction"
        " and signs an Ed25519 checkpoint once a second has passed) for"
        f" {a['seconds']:g} s; a fresh log.",
        "",
        "| | |",
        "|---|---:|",
        f"| entries committed | {_fmt(a['entries'])} |",
        f"| appends/s | {_fmt(a['appends_per_s'])} |",
        f"| checkpoints (per second) | {a['checkpoints']} ({a['checkpoints_per_s']:g}) |",
        f"| batches (mean size) | {_fmt(a['batches'])} ({_fmt(a['mean_batch'])}) |",
        f"| submit-to-commit latency p50 / p99 | {a['latency_ms_p50']:g} /"
        f" {a['latency_ms_p99']:g} ms |",
        f"| audit of the log afterwards (every checkpoint verified) |"
        f" {'clean' if a['audit_clean'] else 'FAILED'} |",
        "",
        f"Target ≥ {_fmt(tt['target'])} appends/s with a checkpoint per second:"
        f" {_yes(tt['met'])} ({_fmt(tt['measured'])}/s, {a['checkpoints_per_s']:g}"
        " checkpoints/s; met means the rate is reached and no more than one checkpoint is"
        " missing over the run). The writer signs a checkpoint after the batch in progress once"
        " a second has passed, so checkpoints come a little less often than once a second.",
    ]
    batches = r.get("append_batches")
    if batches:
        out += [
            "",
            "`append_entries` called directly, one transaction per call (fresh log each):",
            "",
            "| entries per call | entries | appends/s |",
            "|---:|---:|---:|",
            *(
                f"| {_fmt(b['batch'])} | {_fmt(b['entries'])} | {_fmt(b['appends_per_s'])} |"
                for b in batches
            ),
        ]
    built = "taken from the cache" if big.get("cached") else "built in this run"
    out += [
        "",
        f"### Proofs in a {_fmt(big['size'])}-leaf tree",
        "",
        f"A log of {_fmt(big['size'])} entries of {big['entry_bytes']} bytes, appended through"
        f" `append_entries` in batches of {_fmt(big['batch'])} known-new entries"
        f" ({built}; the build took {big['build_seconds']:,.0f} s,"
        f" {_fmt(big['build_appends_per_s'])} appends/s; {_mb(big['db_bytes'])} of SQLite)."
        f" Then {_fmt(p['repeats'])} inclusion proofs and {_fmt(p['repeats'])} consistency proofs"
        " for random indices and sizes, and receipts, each generated through the service"
        " functions and checked with the offline verifier"
        f" ({'all verified' if p['all_verified'] else 'NOT all verified'}); measured as"
        f" {p['measured_as']}.",
        "",
        "| | p50 | p99 |" + (" CPU p50 | CPU p99 |" if cpu else ""),
        "|---|---:|---:|" + ("---:|---:|" if cpu else ""),
        *(
            f"| {what} | {p[f'{key}_ms_p50']:.3f} ms | {p[f'{key}_ms_p99']:.3f} ms |"
            + (
                f" {p[f'{key}_cpu_ms_p50']:.3f} ms | {p[f'{key}_cpu_ms_p99']:.3f} ms |"
                if cpu
                else ""
            )
            for key, what in (
                ("inclusion", f"inclusion proof ({p['inclusion_proof_hashes']} hashes)"),
                ("consistency", "consistency proof"),
                ("receipt", "receipt (proof + signed checkpoint)"),
            )
        ),
        *(["", p["cpu_note"].replace("*_cpu_ms_*", "CPU columns") + "."] if cpu else []),
        "",
        f"Target < {tp['target']:g} ms per proof in a {_fmt(target_leaves)}-leaf tree (p99 of"
        f" inclusion and consistency proofs): {_met(tp['met'])}"
        f" ({tp['measured_p99']:.3f} ms p99).",
    ]
    if tp.get("note"):
        out += ["", tp["note"]]
    return out


def render_segmenter(r: dict) -> list[str]:
    """The "Identity segmenter" section, from bench/results/segmenter.json."""
    kernel = r["kernel_positions_per_second"]
    ref = r["reference_positions_per_second"]
    return [
        "",
        f"## {HEADINGS['segmenter']}",
        "",
        f"From `bench/results/segmenter.json` (`bench/segmenter_bench.py`). {r['sample']}:"
        f" {_fmt(r['messages'])} messages of {r['mmsis']} MMSIs, each labelled with the segment"
        " Global Fishing Watch's gpsdio-segment gives it. Seawarden's segmenter runs over the"
        " same messages; one process, one thread;"
        f" {_machine(r['machine'])}. GFW's segmenter itself is not run here (its labels are),",
        "so there is no speed peer; there is no target for this benchmark.",
        "",
        "| | |",
        "|---|---:|",
        f"| messages whose segment equals GFW's label | {_fmt(r['agree'])} of"
        f" {_fmt(r['messages'])} ({r['agreement']:.2%}) |",
        f"| compiled kernel (`SegmentBank.assign`, best run) | {_fmt(kernel)} positions/s |",
        f"| Python reference (`segment_messages`) | {_fmt(ref)} positions/s |",
        f"| kernel / reference | {kernel / ref:.1f}x |",
    ]


GFW_LOITER = {
    "match_gfw_like_vs_gfw_4h": "GFW-like settings vs GFW ≥ 4 h",
    "match_defaults_vs_gfw_4h": "Seawarden's defaults vs GFW ≥ 4 h",
    "match_gfw_like_window10_vs_gfw_4h": "GFW-like with Seawarden's window vs GFW ≥ 4 h",
    "match_gfw_like_any_length_vs_gfw_raw": "GFW-like, any length vs GFW's raw table",
    "match_gfw_like_vs_gfw_published_approx": "GFW-like vs GFW's published events (approx.)",
}


def _agreement_row(label: str, m: dict) -> str:
    ag = m["agreement"]
    return (
        f"| {label} | {m['gfw_events']} | {m['seawarden_events']} | {m['matched']} |"
        f" {ag['f1']:.3f} | {ag['time_iou']:.3f} | {ag['hours_gfw']:,.1f} |"
        f" {ag['hours_seawarden']:,.1f} |"
    )


def render_gfw(r: dict) -> list[str]:
    """The gaps and loitering comparison with GFW, from bench/results/gfw_behaviour.json."""
    s, code, gaps, lo = r["sample"], r["gfw_code"], r["gaps"], r["loitering"]
    pg, pl = code["pipe_gaps"], code["pipe_loitering"]
    gp = r["parameters"]["gfw"]

    def used(info: dict, name: str) -> str:
        if "skipped" in info:
            return f"{name}: skipped ({info['skipped']}); its documented rule re-implemented"
        return f"{name} {info.get('version', '')} (commit {info.get('commit', '?')[:10]})"

    checks = "; ".join(
        f"{c['check']}: {'same' if c['ok'] else 'DIFFERENT'}" for c in code["self_checks"]
    )
    header = (
        "| comparison | GFW events | Seawarden events | matched | F1 | time IoU"
        " | GFW hours | Seawarden hours |"
    )
    out = [
        "",
        f"## {HEADINGS['gfw_behaviour']}",
        "",
        "From `bench/results/gfw_behaviour.json` (`bench/gfw_behaviour.py`). Seawarden's",
        "reporting-gap and loitering rules against Global Fishing Watch's own code, run in the",
        f"same process over GFW's labelled real AIS sample ({s['messages']:,} messages of"
        f" {s['mmsis']} MMSIs, {s['first']} to {s['last']}; {s['positions_used']:,} positions"
        f" used, {s['segments_with_2_or_more_positions']} GFW segments with ≥ 2 positions;"
        f" median interval between positions {s['median_position_interval_s']:g} s), one track"
        " per GFW segment. GFW's side: "
        f"{used(pg, 'pipe-gaps')}, {used(pl, 'pipe-loitering')};"
        f" shore distance: {code['shore_distance'].get('package', 'skipped')}."
        f" Self-checks of the re-implemented rules against GFW's code: {checks}."
        " This is an agreement benchmark: there is no speed figure and no target.",
        "",
        "### Reporting gaps",
        "",
        f"GFW: every pair of consecutive positions more than {gp['gaps']['min_gap_length_h']:g} h"
        " apart. Seawarden with the GFW-like gap threshold and its reception judgement off"
        " (every gap) and on (only 'dark' gaps, where reception was good):",
        "",
        header,
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        _agreement_row("per segment, every gap", gaps["per_segment"]["match_all"]),
        _agreement_row("per segment, dark gaps only", gaps["per_segment"]["match_dark"]),
        _agreement_row("per MMSI (as pipe-gaps groups), every gap", gaps["per_mmsi"]["match_all"]),
        _agreement_row("per MMSI, dark gaps only", gaps["per_mmsi"]["match_dark"]),
        "",
        "### Loitering",
        "",
        f"GFW: runs of clock hours with mean path speed < {gp['loitering']['slow_threshold_kn']:g}"
        f" kn; raw table {lo['gfw_raw']} events, {lo['gfw_4h']} of at least"
        f" {gp['loitering']['min_loitering_hours']:g} h, "
        + (
            f"{lo['gfw_published_approx']} also at least"
            f" {gp['loitering']['published_min_distance_from_shore_nm']:g} NM from shore"
            " (GFW's published events, approximated)."
            if lo.get("gfw_published_approx") is not None
            else "shore filter not applied (no land mask)."
        ),
        "",
        header,
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *(
            _agreement_row(label, lo[key])
            for key, label in GFW_LOITER.items()
            if lo.get(key) is not None
        ),
        "",
        "### Where the two sides differ",
        "",
    ]
    for d in r["differences"]:
        counts = d.get("unmatched_events")
        if isinstance(counts, dict):
            n = ", ".join(f"{k.replace(':', ' ')} {v}" for k, v in counts.items())
            tail = f" Unmatched events: {n}."
        elif isinstance(counts, str):
            tail = f" Unmatched events: {counts}."
        else:
            extra = {
                k: v
                for k, v in d.items()
                if k not in ("category", "topic", "explanation", "events")
                and not isinstance(v, (dict, list))
            }
            tail = (
                " " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in extra.items()) + "."
                if extra
                else ""
            )
        out += [f"- **{d['topic']}**: {d['explanation']}{tail}"]
    issue = r["parameters"]["seawarden"].get("all_gaps_issue")
    if issue:
        for cfg, text in issue.items():
            out += ["", f"Found while running this comparison: `{cfg}`: {text}."]
    return out


SUMMARY_NOTE = (
    "A target is met when the figure measured on this machine reaches it (wall-clock time);"
    " the sections below say how each was measured (most on one core of a machine shared with"
    " other work, so the figures are noisy; the load averages are given), and give the peers"
    " measured in the same runs and the ratios."
)


def summary(res: dict[str, dict | None]) -> list[str]:
    """The summary table: every target, the measured figure, met or not."""
    rows: list[tuple[str, str, str, str]] = []

    def add(section: str, target: str, measured: str, verdict: str) -> None:
        rows.append(
            (f"[{HEADINGS[section]}]({_anchor(HEADINGS[section])})", target, measured, verdict)
        )

    dec = res.get("decoder")
    if dec:
        runs = dec["runs"]
        pyais = runs.get("pyais_stream_decode", {}).get("messages_per_second")
        for name, (absolute, ratio) in TARGETS.items():
            if name not in runs or not pyais:
                continue
            mps = runs[name]["messages_per_second"]
            verdict = _yes(mps >= absolute)
            if mps < absolute and mps / pyais >= ratio:
                verdict += " (met as a ratio to pyais)"
            add(
                "decoder",
                f"{TARGET_NAMES[name]} ≥ {_fmt(absolute)} msg/s on one core ({ratio:g}x pyais)",
                f"{_fmt(mps)} msg/s ({mps / pyais:.1f}x pyais)",
                verdict,
            )
    ing = res.get("ingest")
    if ing:
        t = ing["target"]
        add(
            "ingest",
            f"ingest end to end ≥ {_fmt(t['messages_per_second'])} msg/s on {t['cores']} core",
            f"{_fmt(t['measured'])} msg/s",
            _yes(t["met"]),
        )
    tr = res.get("tracks")
    if tr:
        names = {"track": "one vessel's one-day track", "snapshot": "snapshot of the whole coast"}
        for key, what in names.items():
            q = tr[key]
            if "target_ms" in q:
                add(
                    "tracks",
                    f"{what} < {q['target_ms']:g} ms (median and p95)",
                    f"median {q['median_ms']:.1f} ms, p95 {q['p95_ms']:.1f} ms",
                    _yes(q["met"]),
                )
    web = res.get("web")
    if web:
        for key, what in (("latest", "latest picture over HTTP"), ("track", "track over HTTP")):
            t = web.get(key, {})
            meas = t.get("measured")
            if "target" in t:
                add(
                    "web",
                    f"{what}: {t['target']['text']} at {t['target']['at_connections']} connections",
                    f"p99 {_ms(meas['p99_ms'])}" if meas else t.get("skipped", ""),
                    _met(t.get("met") if meas else None),
                )
        live = web.get("live")
        if live:
            lm, lt = live["measured"], live["target"]
            add(
                "web",
                f"{lt['clients']} live clients, {_fmt(lt['vessels'])} vessels updated once a"
                " second, none falling behind",
                f"{lm['clients']} clients: lag p99 {_ms(lm['lag_ms']['p99'])},"
                f" {lm['clients_that_missed_updates']} missed updates",
                _met(live_met(live)),
            )
    sup = res.get("supervision")
    if sup:
        t = sup["targets"]
        live_t = t.get("live_all_rules_positions_per_second") or t["live_positions_per_second"]
        add(
            "supervision",
            f"live rules ≥ {_fmt(live_t['target'])} positions/s on one core (every rule)",
            f"{_fmt(live_t['measured'])} positions/s",
            _yes(live_t["met"]),
        )
        z = t.get("live_zone_rules_only_positions_per_second")
        if z:
            add(
                "supervision",
                f"the same, zone rules only ≥ {_fmt(z['target'])} positions/s",
                f"{_fmt(z['measured'])} positions/s",
                _yes(z["met"]),
            )
        b = t["batch_day_seconds"]
        positions = sup["batch"]["positions"]
        add(
            "supervision",
            f"one day in batch ({_fmt(positions)} positions) < {b['target']:g} s",
            f"{b['measured']:.1f} s",
            _yes(b["met"]),
        )
    col = res.get("collision")
    if col:
        t = col["targets"]
        n = col["inputs"]["picture"]["vessels"]
        radius = col["pairs"]["radius_nm"]
        add(
            "collision",
            f"all pairs within {radius:g} nm among {_fmt(n)} vessels"
            f" < {t['pairs_within_ms']['target']:g} ms",
            f"{t['pairs_within_ms']['measured']:.1f} ms",
            _yes(t["pairs_within_ms"]["met"]),
        )
        add(
            "collision",
            f"CPA/TCPA of {_fmt(col['cpa']['pairs'])} pairs"
            f" < {t['cpa_tcpa_100k_ms']['target']:g} ms",
            f"{t['cpa_tcpa_100k_ms']['measured']:.1f} ms",
            _yes(t["cpa_tcpa_100k_ms"]["met"]),
        )
    dg = res.get("dg")
    if dg:
        bay, yd = dg["bay_plan"], dg["yard"]
        add(
            "dg",
            f"{_fmt(bay['teu'])}-TEU bay plan with {_fmt(bay['dg_units'])} DG containers"
            f" < {bay['target_seconds']:g} s",
            f"{bay['seconds']:.3f} s",
            _yes(bay["meets_target"]),
        )
        add(
            "dg",
            f"yard of {_fmt(yd['slots'])} slots re-checked per move"
            f" < {yd['target_ms_per_move']:g} ms",
            f"{yd['move_ms_p99']:.2f} ms p99 ({yd['move_ms_mean']:.2f} ms mean)",
            _yes(yd["meets_target"]),
        )
    reg = res.get("registry")
    if reg:
        for key, label in (("sqlite_csv", "SQLite"), ("postgresql_csv", "PostgreSQL")):
            x = reg.get(key)
            if x:
                add(
                    "registry",
                    f"{_fmt(reg['input']['rows'])} ships with {_fmt(reg['input']['bad_rows'])}"
                    f" bad rows imported from CSV < {x['target_seconds']:g} s ({label})",
                    f"{x['seconds']:.2f} s, every bad row reported"
                    if x["every_bad_row_reported_with_line_and_reason"]
                    else f"{x['seconds']:.2f} s, bad rows NOT all reported",
                    _yes(x["met"]),
                )
    led = res.get("ledger")
    if led:
        t = led["targets"]
        a = t["appends_per_s_with_checkpoint_each_second"]
        add(
            "ledger",
            f"≥ {_fmt(a['target'])} appends/s with a checkpoint per second (SQLite)",
            f"{_fmt(a['measured'])}/s"
            f" (rate {'reached' if a['measured'] >= a['target'] else 'not reached'}),"
            f" {led['appends']['checkpoints_per_s']:g} checkpoints/s",
            _yes(a["met"]),
        )
        p = t["proof_ms_10m_leaves"]
        size = led["big_tree"]["size"]
        wanted = p.get("target_tree_size", size)
        pr = led["proofs"]
        measured = f"{p['measured_p99']:.3f} ms p99 (inclusion p50 {pr['inclusion_ms_p50']:.2f} ms"
        if "consistency_cpu_ms_p99" in pr:
            cpu99 = max(pr["inclusion_cpu_ms_p99"], pr["consistency_cpu_ms_p99"])
            measured += f"; CPU time p99 {cpu99:.2f} ms"
        measured += ")"
        if size != wanted:
            measured += f" in a {_fmt(size)}-leaf tree"
        add(
            "ledger",
            f"proof in a {_fmt(wanted)}-leaf tree < {p['target']:g} ms",
            measured,
            _met(p["met"]),
        )
    seg = res.get("segmenter")
    if seg:
        add(
            "segmenter",
            "no target (agreement with GFW's segment labels)",
            f"{seg['agreement']:.2%} of {_fmt(seg['messages'])} messages;"
            f" {_fmt(seg['kernel_positions_per_second'])} positions/s",
            "no target",
        )
    gfw = res.get("gfw_behaviour")
    if gfw:
        ga = gfw["gaps"]["per_segment"]["match_all"]["agreement"]
        la = gfw["loitering"]["match_gfw_like_vs_gfw_4h"]["agreement"]
        add(
            "gfw_behaviour",
            "no target (agreement with GFW's gap and loitering code)",
            f"F1 gaps {ga['f1']:.2f}, loitering {la['f1']:.2f} (GFW-like settings)",
            "no target",
        )
    out = [
        "## Summary",
        "",
        SUMMARY_NOTE,
        "",
        "| area | target | measured | |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
    ]
    missing = [HEADINGS[k] for k in HEADINGS if res.get(k) is None]
    if missing:
        out += ["", f"No result yet (not measured): {', '.join(missing)}."]
    return out


def render_all(res: dict[str, dict | None]) -> str:
    """The whole document."""
    lines = [
        "# Performance",
        "",
        "Generated by `make bench` (`bench/run.py`, which runs every benchmark) from",
        "`bench/results/*.json`; do not edit by hand. `python bench/run.py <section>` runs one",
        f"benchmark ({', '.join(k for k in FILES if k != 'corpus')}, corpus) and regenerates",
        "this file; `python bench/report.py` only regenerates it. Every figure below comes from",
        "those JSON results.",
        "",
        *summary(res),
    ]
    if res.get("decoder"):
        lines += render_decoder(res["decoder"], res.get("corpus"))  # type: ignore[arg-type]
    renderers = {
        "ingest": render_ingest,
        "tracks": render_tracks,
        "web": render_web,
        "supervision": lambda r: _bench_markdown("supervision_bench", r),
        "collision": lambda r: _bench_markdown("collision_bench", r),
        "dg": render_dg,
        "registry": render_registry,
        "ledger": render_ledger,
        "segmenter": render_segmenter,
        "gfw_behaviour": render_gfw,
    }
    for key, render in renderers.items():
        result = res.get(key)
        if result:
            lines += render(result)
    return wrap("\n".join(lines)).rstrip("\n") + "\n"


def load_all() -> dict[str, dict | None]:
    """Every JSON result there is, by section."""
    return {key: _load(name) for key, name in FILES.items()}


def write() -> None:
    """Regenerate docs/performance.md from the JSON results."""
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render_all(load_all()))


if __name__ == "__main__":
    write()
    print(f"wrote {DOC}")
