"""``seawarden decode`` and the ``seawarden ais`` command group."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from seawarden.ais.arrow import chunk_tables, decode_batch
from seawarden.ais.decoder import Decoder, DecoderConfig, DecodeStats
from seawarden.ais.errors import DESCRIPTIONS, AisError, Outcome, outcome_name
from seawarden.ais.io import file_size, open_binary
from seawarden.ais.records import chunk_messages
from seawarden.ais.writers import CsvWriter, JsonlWriter, ParquetFamilyWriter, union_schema
from seawarden.settings import get_settings

app = typer.Typer(help="AIS/NMEA tools: reject codes, encoding.", no_args_is_help=True)

BLOCK_BYTES = 4 << 20
PROGRESS_MIN_BYTES = 4 << 20


class OutputFormat(StrEnum):
    """Output formats of ``seawarden decode``."""

    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


def _blocks(fh: IO[bytes], on_read: Any) -> Iterator[tuple[bytes, bool]]:
    tail = b""
    while True:
        data = fh.read(BLOCK_BYTES)
        on_read(len(data))
        if not data:
            yield tail, True
            return
        data = tail + data
        cut = data.rfind(b"\n")
        if cut < 0:
            tail = data
            continue
        tail = data[cut + 1 :]
        yield data[: cut + 1], False


def _merge(total: DecodeStats, part: DecodeStats) -> None:
    total.lines += part.lines
    total.pending += part.pending
    total.messages += part.messages
    for k, v in part.outcomes.items():
        total.outcomes[k] += v
    for t, v in part.by_type.items():
        total.by_type[t] = total.by_type.get(t, 0) + v


def _summary(stats: DecodeStats, console: Console) -> None:
    table = Table(title="Decoded", show_header=True)
    table.add_column("message type", justify="right")
    table.add_column("messages", justify="right")
    for t, n in sorted(stats.by_type.items()):
        table.add_row(str(t), f"{n:,}")
    table.add_row("all", f"{stats.messages:,}", style="bold")
    console.print(table)
    lines = Table(title=f"Lines read: {stats.lines:,}", show_header=True)
    lines.add_column("outcome")
    lines.add_column("lines", justify="right")
    for name, n in stats.outcomes.items():
        if n:
            lines.add_row(name, f"{n:,}")
    if stats.pending:
        lines.add_row("pending", f"{stats.pending:,}")
    console.print(lines)


def decode_command(
    paths: Annotated[
        list[str], typer.Argument(help="NMEA files (plain or .gz); '-' reads standard input.")
    ],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.jsonl,
    unscaled: Annotated[
        bool, typer.Option("--unscaled", help="Raw integers instead of scaled values.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Reject sentences with a bad or missing checksum.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Output file (jsonl, csv) or directory (parquet); default stdout.",
        ),
    ] = None,
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Write rejected lines (JSON lines) here.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
) -> None:
    """Decode AIS NMEA into gpsd-style JSON lines, CSV, or Parquet per message family."""
    err = Console(stderr=True)
    scaled = not unscaled
    if output_format is OutputFormat.parquet and output is None:
        err.print("[red]--format parquet needs --output DIR[/red]")
        raise typer.Exit(2)
    for p in paths:
        if p != "-" and not Path(p).is_file():
            err.print(f"[red]no such file: {p}[/red]")
            raise typer.Exit(2)
    policy = get_settings().ais
    config = DecoderConfig(
        strict=strict or policy.strict,
        window_lines=policy.window_lines,
        max_age_s=policy.max_age_s,
        max_line_length=policy.max_line_length,
    )
    text_out: IO[str] | None = None
    byte_out: IO[bytes] | None = None
    writer: JsonlWriter | CsvWriter | ParquetFamilyWriter
    if output_format is OutputFormat.jsonl:
        text_out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
        writer = JsonlWriter(text_out)
    elif output_format is OutputFormat.csv:
        byte_out = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115
        writer = CsvWriter(byte_out, union_schema(decode_batch(b"", scaled=scaled)))
    else:
        assert output is not None
        writer = ParquetFamilyWriter(output)
    reject_out = open(rejects, "w", encoding="utf-8") if rejects else None  # noqa: SIM115
    total = DecodeStats()
    try:
        for path in paths:
            decoder = Decoder(config)
            size = file_size(path)
            show = size is not None and size >= PROGRESS_MIN_BYTES and not quiet
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
            )
            with Progress(*columns, console=err, disable=not show, transient=True) as progress:
                task = progress.add_task(Path(path).name, total=size)
                with open_binary(path) as fh:
                    advance = partial(progress.advance, task)
                    for block, final in _blocks(fh, advance):
                        chunk = decoder.decode(block, final=final)
                        if isinstance(writer, JsonlWriter):
                            writer.write_messages(chunk_messages(chunk, scaled))
                        else:
                            writer.write_tables(chunk_tables(chunk, scaled))
                        if reject_out is not None:
                            for r in decoder.rejects:
                                reject_out.write(
                                    json.dumps(
                                        {
                                            "file": path,
                                            "line": r.line,
                                            "reason": outcome_name(r.reason),
                                            "lines": r.lines,
                                        }
                                    )
                                    + "\n"
                                )
                        decoder.rejects.clear()
            _merge(total, decoder.stats())
    finally:
        writer.close()
        if text_out is not None and text_out is not sys.stdout:
            text_out.close()
        if byte_out is not None and byte_out is not sys.stdout.buffer:
            byte_out.close()
        if reject_out is not None:
            reject_out.close()
    if not quiet:
        _summary(total, err)


@app.command("reasons")
def reasons_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List the closed set of line outcomes and reject reason codes."""
    rows = [
        {"code": int(o), "name": outcome_name(o), "rejected": o > Outcome.NOT_AIS, "meaning": d}
        for o, d in DESCRIPTIONS.items()
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(show_header=True)
    for col in ("code", "name", "rejected", "meaning"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r["code"]), str(r["name"]), "yes" if r["rejected"] else "no", str(r["meaning"])
        )
    Console().print(table)


@app.command("encode")
def encode_command(
    message: Annotated[
        str, typer.Argument(help="Message fields as JSON (scaled values), e.g. '{\"type\":1,...}'.")
    ],
    talker: Annotated[str, typer.Option(help="Talker id.")] = "AI",
    channel: Annotated[str, typer.Option(help="Radio channel.")] = "A",
    tag_block: Annotated[
        str | None, typer.Option("--tag", help="Tag block fields, e.g. 's:station1,c:1700000000'.")
    ] = None,
) -> None:
    """Encode one message (types 1-5, 18, 19, 21, 24, 27) into NMEA sentences."""
    from seawarden.ais.encode import encode

    err = Console(stderr=True)
    try:
        fields = json.loads(message)
        sentences = encode(fields, talker=talker, channel=channel, tag_block=tag_block)
    except (json.JSONDecodeError, AisError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    for s in sentences:
        typer.echo(s)
