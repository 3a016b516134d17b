# Shared steps of the throw-away reference venvs (scripts/vibenet-venv.sh, scripts/musicnn-venv.sh).
# Sourced, not run. The caller sets venv_name (log prefix), repo_root, lock_file (already sourced),
# requirements_file and venv, and defines smoke_test, which proves "$venv" works (output to stderr).
#
# The venv is made from Debian's /usr/bin/python3 with --system-site-packages; every other package
# is installed exactly as pinned, with --no-deps, so pip can never pull anything unlisted.

log() { echo "$venv_name: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Builds (or reuses) the venv and prints its path on stdout.
# Usage: build_reference_venv PACKAGE VERSION WHEEL WHEEL_SHA256 TORCHSCRIPT_KEY [REQUIREMENTS_NOTE]
#   TORCHSCRIPT_KEY: the lock entry of the exported model's sha256, which does not change what goes
#   into the venv and so is left out of the pins' digest.
build_reference_venv() {
  local package="$1" version="$2" wheel="$3" wheel_sha256="$4" torchscript_key="$5" note="${6:-}"
  local stamp_file="$venv/.vibed-pins.sha256"
  local wheel_path="$venv/wheel/$wheel"
  local pins_digest
  pins_digest="$(grep -v "^$torchscript_key=" "$lock_file" | cat - "$requirements_file" |
    sha256sum | cut -d' ' -f1)"

  if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$pins_digest" && -f "$wheel_path" ]] &&
     smoke_test 2>/dev/null; then
    echo "$venv"
    return 0
  fi

  # Never wipe a folder that is not a venv: VENV_DIR may be mistyped.
  if [[ -e "$venv" && ! -f "$venv/pyvenv.cfg" && -n "$(ls -A "$venv" 2>/dev/null)" ]]; then
    die "$venv exists and is not a virtual environment; refusing to replace it"
  fi

  log "creating $venv"
  /usr/bin/python3 -m venv --clear --system-site-packages "$venv"
  local pip=("$venv/bin/python" -m pip --quiet --disable-pip-version-check --no-input)

  log "installing pinned dependencies from $requirements_file${note:+ ($note)}"
  "${pip[@]}" install --no-deps --only-binary :all: -r "$requirements_file" >&2

  log "fetching $package==$version"
  "${pip[@]}" download --no-deps --only-binary :all: --dest "$venv/wheel" \
    "$package==$version" >&2
  [[ -f "$wheel_path" ]] || die "pip did not produce $wheel_path"
  local actual_sha
  actual_sha="$(sha256sum "$wheel_path" | cut -d' ' -f1)"
  [[ "$actual_sha" == "$wheel_sha256" ]] ||
    die "$wheel_path has sha256 $actual_sha, expected $wheel_sha256 (${lock_file#"$repo_root"/})"
  # --no-deps: a wheel's metadata may ask for other versions (musicnn: numpy < 1.17 and any
  # tensorflow); the pins above rule.
  "${pip[@]}" install --no-deps "$wheel_path" >&2

  smoke_test || die "the new environment at $venv failed its smoke test"
  echo "$pins_digest" >"$stamp_file"
  log "ready"
  echo "$venv"
}
