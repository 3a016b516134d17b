#!/usr/bin/env bash
# The main job on the embedded defaults: installs what is missing, builds,
# indexes a music library once with the bundled config and model into the
# default SQLite index ($XDG_DATA_HOME/vibed/library.db), writes the default
# playlists as M3U and prints them.
# When MPD is configured (~/.config/mpd/mpd.conf, ~/.mpdconf, ~/.mpd/mpd.conf or
# /etc/mpd.conf) and plays that library, the playlists also go to its
# playlist_directory, so `mpc lsplaylists` lists them.
# Usage: scripts/run.sh [MUSIC_FOLDER]   (default: your XDG music folder)
# VIBED_BUILD_DIR picks the build folder (default: build).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${VIBED_BUILD_DIR:-build}
scripts/install-deps.sh
cmake -S . -B "$build" -G Ninja >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target vibed vibectl
library_args=()
[ $# -gt 0 ] && library_args=(--library "$(realpath "$1")")
"$build/daemon/vibed" --once "${library_args[@]}"
"$build/daemon/vibectl" playlists
echo
"$build/daemon/vibectl" playlist driving
