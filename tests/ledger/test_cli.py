"""`seawarden ledger` commands (invoked through typer's test runner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seawarden.ledger import entries as ent
from seawarden.ledger.cli import app
from seawarden.ledger.keys import Algorithm, generate

COMMANDS = [
    "keygen",
    "create",
    "logs",
    "append",
    "checkpoint",
    "cosign",
    "prove",
    "verify",
    "audit",
    "device",
    "weigh",
]
ORIGIN = "msa.example.cn/ledger/handover/v1"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help(runner: CliRunner, command: str | None) -> None:
    done = runner.invoke(app, [*([command] if command else []), "--help"])
    assert done.exit_code == 0, done.output
    assert "Usage" in done.output


def test_whole_flow(runner: CliRunner, tmp_path: Path) -> None:
    data, keys = str(tmp_path / "data"), tmp_path / "keys"

    def run(*args: str, code: int = 0, stdin: str | None = None) -> str:
        done = runner.invoke(app, list(args), input=stdin)
        assert done.exit_code == code, done.output
        return done.output

    vkey = run("keygen", ORIGIN, "--out", str(keys)).strip().splitlines()[-1]
    run("keygen", "witness.example.cn/audit", "--out", str(keys), "--witness")
    run("keygen", ORIGIN, "--out", str(keys), code=2)  # never overwrites a key
    skey = keys / "msa.example.cn_ledger_handover_v1.key"
    assert skey.stat().st_mode & 0o077 == 0
    wkey, wvkey = keys / "witness.example.cn_audit.key", keys / "witness.example.cn_audit.vkey"
    run("create", "handover", "--origin", ORIGIN, "-d", data)
    run("create", "handover", "--origin", ORIGIN, "-d", data, code=2)
    doc = tmp_path / "doc.json"
    doc.write_bytes(b'{"a":1,"salt":"x"}')
    party = generate("terminal.example.cn/clerk", Algorithm.sm2)
    st = ent.document_statement("HO-1", 1, doc.read_bytes(), "terminal", 1)
    entry = tmp_path / "entry.json"
    sig = ent.sign_statement(party, st)
    entry.write_bytes(ent.signature_entry(st, party.public_key(), sig, ent.Custody.own))
    args = ("append", "handover", str(entry), "--kind", "document", "--ref", "HO-1", "-d", data)
    out = json.loads(run(*args).splitlines()[-1])
    assert out["index"] == 0 and not out["duplicate"]
    assert json.loads(run(*args).splitlines()[-1])["duplicate"]
    run("append", "handover", str(doc), "--kind", "document", "-d", data, code=2)
    for i in range(1, 6):
        run("append", "handover", "-", "--ref", f"r{i}", "-d", data, stdin=f"entry {i}")
    assert "handover" in run("logs", "-d", data)
    cp = run("checkpoint", "handover", "--key", str(skey), "-d", data)
    assert cp.startswith(ORIGIN + "\n6\n")
    run("cosign", "handover", "--witness-key", str(wkey), "--key", vkey, "-d", data)
    receipt = tmp_path / "r.tlog-proof"
    run("prove", "handover", "--index", "0", "-d", data, "-o", str(receipt))
    consistency = json.loads(run("prove", "handover", "--from", "2", "-d", data))
    assert consistency["size2"] == 6 and consistency["proof"]
    ok = run("verify", str(receipt), "--key", vkey, "-w", str(wvkey), "--quorum", "1")
    assert "verified: entry 0" in ok
    assert "document matches" in run("verify", str(receipt), "-k", vkey, "--document", str(doc))
    other = tmp_path / "other.json"
    other.write_bytes(b'{"a":2}')
    run("verify", str(receipt), "-k", vkey, "--document", str(other), code=1)
    run("verify", str(receipt), "-k", vkey, "-w", str(wvkey), "--quorum", "2", code=1)
    run("verify", str(receipt), "-k", str(wvkey), code=1)
    tampered = tmp_path / "t.tlog-proof"
    tampered.write_text(receipt.read_text().replace("index 0", "index 1"))
    assert "NOT VERIFIED" in run("verify", str(tampered), "-k", vkey, code=1)
    assert "ok" in run("audit", "-d", data, "-k", vkey)


def test_bad_input_gives_clear_errors(runner: CliRunner, tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    for args in (
        ["append", "nolog", "-", "-d", data],
        ["append", "nolog", str(tmp_path / "missing"), "-d", data],
        ["checkpoint", "nolog", "--key", str(tmp_path / "missing.key"), "-d", data],
        ["prove", "nolog", "-d", data],
        ["prove", "nolog", "--index", "0", "-d", data],
        ["verify", str(tmp_path / "missing"), "-k", "x"],
        ["audit", "nolog", "-d", data],
        ["create", "bad name", "--origin", "x.example/y", "-d", data],
        ["keygen", "bad+name", "--out", str(tmp_path)],
    ):
        done = runner.invoke(app, args, input="x")
        assert done.exit_code == 2, (args, done.output)
        assert "error" in done.output and "Traceback" not in done.output
    bad_key = tmp_path / "bad.key"
    bad_key.write_text("PRIVATE+KEY+x+00000000+AAAA")
    done = runner.invoke(app, ["checkpoint", "h", "--key", str(bad_key), "-d", data])
    assert done.exit_code == 2 and "signer key" in done.output
    receipt = tmp_path / "junk"
    receipt.write_bytes(b"\xff\x00junk")
    done = runner.invoke(
        app, ["verify", str(receipt), "-k", "a.example+00000000+AR" + "A" * 42 + "="]
    )
    assert done.exit_code == 2 and "verifier key" in done.output


def test_weighbridge_device_and_record(runner: CliRunner, tmp_path: Path) -> None:
    data, keys = str(tmp_path / "data"), tmp_path / "keys"

    def run(*args: str, code: int = 0) -> str:
        done = runner.invoke(app, list(args))
        assert done.exit_code == code, done.output
        return done.output

    dvkey = run("keygen", "weighbridge.example.cn/wb-01", "--out", str(keys)).splitlines()[-1]
    dkey = str(keys / "weighbridge.example.cn_wb-01.key")
    reg = json.loads(run("device", "WB-01", "--key", dvkey, "-d", data).splitlines()[-1])
    assert reg["log"] == "weighbridge" and reg["active"]
    run("device", "WB-01", "--key", dvkey, "-d", data, code=2)  # registered already
    record = tmp_path / "w.json"
    record.write_bytes(b'{"plate":"B12345","salt":"x"}')
    weigh = ("weigh", str(record), "--device-key", dkey, "--device-id", "WB-01")
    sizes = ("--gross-g", "42000000", "--tare-g", "15000000", "--measured-at-ms", "1")
    signed = json.loads(run(*weigh, "--record-id", "W-1", *sizes, "--sign-only"))
    assert signed["statement"]["net_g"] == 27_000_000 and signed["signature"]
    done = json.loads(run(*weigh, "--record-id", "W-1", *sizes, "-d", data).splitlines()[-1])
    assert done["log"] == "weighbridge" and done["receipt"]
    receipt = tmp_path / "w.tlog-proof"
    receipt.write_text(done["receipt"])
    vkey = tmp_path / "data" / "ledger-keys" / "seawarden.local_ledger_weighbridge_v1.vkey"
    assert "document matches" in run(
        "verify", str(receipt), "-k", str(vkey), "--document", str(record)
    )
    other = generate("weighbridge.example.cn/wb-01")  # same name, another key
    forged = tmp_path / "forged.key"
    forged.write_text(other.skey())
    forged.chmod(0o600)
    out = run(
        "weigh",
        str(record),
        "--device-key",
        str(forged),
        "--device-id",
        "WB-01",
        "--record-id",
        "W-2",
        *sizes,
        "-d",
        data,
        code=2,
    )
    assert "does not verify" in out
    run("device", "WB-01", "--key", dvkey, "--revoke", "--label", "seal broken", "-d", data)
    out = run(*weigh, "--record-id", "W-3", *sizes, "-d", data, code=2)
    assert "revoked" in out
    assert "ok" in run("audit", "-d", data, "-k", str(vkey))
