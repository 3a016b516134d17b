"""Shared plumbing for the scripts that import a reference model from its own Python package.

VibeNet (model/import_vibenet.py, tests/golden/make_mel_golden.py) and MusiCNN
(model/import_musicnn.py) each have a lock file (model/NAME.lock, KEY=value lines, also sourced by
bash) and a throw-away venv built by scripts/NAME-venv.sh. This module reads and updates the lock,
builds the venv or re-executes the calling script inside it, and writes and checks the verified
export with the record beside it. Standard library only: it runs before the venv exists.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# TorchScript serialises some module constants in Python set order, which depends on the string
# hash seed: a fixed seed makes the exported model byte-for-byte reproducible.
HASH_SEED = "0"


def sha256_of(data: bytes | Path) -> str:
    if isinstance(data, Path):
        data = data.read_bytes()
    return hashlib.sha256(data).hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.name, delete=False) as temporary:
        temporary.write(data)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary.name, 0o666 & ~umask)  # NamedTemporaryFile makes it private
    os.replace(temporary.name, path)


def verified_record_path(output: Path) -> Path:
    """Where the record of a verified export of `output` is kept."""
    return output.with_name(output.name + ".verified.json")


def is_verified_export(output: Path, source_key: str, source_sha: str) -> bool:
    """True if output is the file a previous verified export of the source with sha256
    `source_sha` (recorded under `source_key`) produced."""
    stamp = verified_record_path(output)
    if not (output.is_file() and stamp.is_file()):
        return False
    try:
        recorded = json.loads(stamp.read_text())
    except json.JSONDecodeError:
        return False
    return recorded.get(source_key) == source_sha and recorded.get("sha256") == sha256_of(output)


def write_verified_export(output: Path, exported: bytes, details: dict) -> str:
    """Writes `exported` to output, then the record beside it ({"sha256": ..., **details}) that
    makes is_verified_export() true. Returns the export's sha256."""
    output.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(output, exported)
    exported_sha = sha256_of(exported)
    record = {"sha256": exported_sha, **details}
    write_atomically(verified_record_path(output), json.dumps(record, indent=1).encode())
    return exported_sha


def reexecute_with_fixed_hash_seed() -> None:
    """Re-executes the calling script with PYTHONHASHSEED=HASH_SEED unless it already has it."""
    if os.environ.get("PYTHONHASHSEED") != HASH_SEED:
        sys.stdout.flush()
        os.execve(sys.executable, [sys.executable, *sys.argv], dict(os.environ, PYTHONHASHSEED=HASH_SEED))


class ReferenceModel:
    """One reference model's lock file (model/NAME.lock) and venv (scripts/NAME-venv.sh)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lock_file = REPO_ROOT / "model" / f"{name}.lock"
        self.venv_script = REPO_ROOT / "scripts" / f"{name}-venv.sh"
        self.torchscript_key = f"{name.upper()}_TORCHSCRIPT_SHA256"
        # Set to the venv's path once a script runs inside it; stops a second re-execution.
        self._active_venv_variable = f"VIBED_{name.upper()}_VENV_ACTIVE"

    def read_lock(self) -> dict[str, str]:
        """Returns the KEY=value pairs of the lock file."""
        entries = {}
        for line in self.lock_file.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                entries[key.strip()] = value.strip()
        return entries

    def record_in_lock(self, key: str, value: str) -> None:
        """Sets KEY=value in the lock file, replacing an existing line for KEY."""
        lines = self.lock_file.read_text().splitlines()
        new_line = f"{key}={value}"
        for index, line in enumerate(lines):
            if line.startswith(f"{key}="):
                lines[index] = new_line
                break
        else:
            lines.append(new_line)
        self.lock_file.write_text("\n".join(lines) + "\n")

    def build_venv(self) -> Path:
        """Builds or reuses the venv through scripts/NAME-venv.sh and returns its path.
        Raises SystemExit if it cannot be built."""
        built = subprocess.run([str(self.venv_script)], stdout=subprocess.PIPE, text=True)
        if built.returncode != 0:
            raise SystemExit(f"{self.venv_script.name} failed (exit {built.returncode}); "
                             "see its messages above")
        return Path(built.stdout.strip().splitlines()[-1])

    def venv_path(self) -> Path:
        """The venv this process runs in. Only valid after run_inside_venv()."""
        return Path(os.environ[self._active_venv_variable])

    def run_inside_venv(self) -> None:
        """Makes sure the calling script runs with the venv's interpreter.

        Outside the venv (or with another hash seed): builds or reuses it and replaces the current
        process by the same script run with the venv's python and PYTHONHASHSEED=HASH_SEED (never
        returns). Inside: returns. Raises SystemExit if the venv cannot be built.
        """
        active = os.environ.get(self._active_venv_variable)
        if (active and os.path.realpath(active) == os.path.realpath(sys.prefix)
                and os.environ.get("PYTHONHASHSEED") == HASH_SEED):
            return
        venv = str(self.build_venv())
        python = os.path.join(venv, "bin", "python")
        environment = dict(os.environ, **{self._active_venv_variable: venv, "PYTHONHASHSEED": HASH_SEED})
        sys.stdout.flush()
        os.execve(python, [python, sys.argv[0], *sys.argv[1:]], environment)

    def report_against_lock(self, exported_sha: str, lock: dict[str, str], record: bool,
                            network_file: str, what_was_verified: str) -> None:
        """Says whether the export is the one the lock records; with `record`, records it."""
        tool = f"import_{self.name}"
        lock_name = f"model/{self.lock_file.name}"
        locked_sha = lock.get(self.torchscript_key)
        if record:
            self.record_in_lock(self.torchscript_key, exported_sha)
            print(f"{tool}: recorded the sha256 in {lock_name}")
        elif locked_sha == exported_sha:
            print(f"{tool}: identical to the export recorded in {lock_name}")
        elif locked_sha:
            print(f"{tool}: note: {lock_name} records {locked_sha}; this export differs "
                  f"(another torch build, or {network_file} was edited). Its {what_was_verified} "
                  "were verified above; if the change is intended, re-run with --record")


VIBENET = ReferenceModel("vibenet")
MUSICNN = ReferenceModel("musicnn")
