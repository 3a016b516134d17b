"""Shared plumbing for the scripts that run VibeNet's own Python package.

Those scripts (model/import_vibenet.py, tests/golden/make_mel_golden.py) start under Debian's
/usr/bin/python3, then re-execute themselves inside the throw-away venv that
scripts/vibenet-venv.sh builds, so that each of them is one command. Standard library only: this
module runs before the venv exists.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCK_FILE = REPO_ROOT / "model" / "vibenet.lock"
VENV_SCRIPT = REPO_ROOT / "scripts" / "vibenet-venv.sh"
# Set to the venv's path once a script runs inside it; stops a second re-execution.
_ACTIVE_VENV_VARIABLE = "VIBED_VIBENET_VENV_ACTIVE"
# TorchScript serialises some module constants in Python set order, which depends on the string
# hash seed: a fixed seed makes the exported model byte-for-byte reproducible.
_HASH_SEED = "0"


def read_lock() -> dict[str, str]:
    """Returns the KEY=value pairs of model/vibenet.lock."""
    entries = {}
    for line in LOCK_FILE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            entries[key.strip()] = value.strip()
    return entries


def record_in_lock(key: str, value: str) -> None:
    """Sets KEY=value in model/vibenet.lock, replacing an existing line for KEY."""
    lines = LOCK_FILE.read_text().splitlines()
    new_line = f"{key}={value}"
    for index, line in enumerate(lines):
        if line.startswith(f"{key}="):
            lines[index] = new_line
            break
    else:
        lines.append(new_line)
    LOCK_FILE.write_text("\n".join(lines) + "\n")


def sha256_of(data: bytes | Path) -> str:
    if isinstance(data, Path):
        data = data.read_bytes()
    return hashlib.sha256(data).hexdigest()


def venv_path() -> Path:
    """The venv this process runs in. Only valid after run_inside_venv()."""
    return Path(os.environ[_ACTIVE_VENV_VARIABLE])


def run_inside_venv() -> None:
    """Makes sure the calling script runs with the VibeNet venv's interpreter.

    Outside the venv (or with another hash seed): builds or reuses it through
    scripts/vibenet-venv.sh and replaces the current process by the same script run with the venv's
    python and a fixed PYTHONHASHSEED (never returns). Inside: returns.
    Raises SystemExit if the venv cannot be built.
    """
    active = os.environ.get(_ACTIVE_VENV_VARIABLE)
    if (active and os.path.realpath(active) == os.path.realpath(sys.prefix)
            and os.environ.get("PYTHONHASHSEED") == _HASH_SEED):
        return
    built = subprocess.run([str(VENV_SCRIPT)], stdout=subprocess.PIPE, text=True)
    if built.returncode != 0:
        raise SystemExit(f"{VENV_SCRIPT.name} failed (exit {built.returncode}); see its messages above")
    venv = built.stdout.strip().splitlines()[-1]
    python = os.path.join(venv, "bin", "python")
    environment = dict(os.environ, **{_ACTIVE_VENV_VARIABLE: venv, "PYTHONHASHSEED": _HASH_SEED})
    sys.stdout.flush()
    os.execve(python, [python, sys.argv[0], *sys.argv[1:]], environment)
