#!/usr/bin/env bash
# Installs every Debian package that building, testing and building the model need.
# Idempotent and non-interactive: safe to run on a fresh machine and again later.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang-14 libclang-rt-14-dev
  # core/: decoding, resampling, features, model, tags
  libmpg123-dev libsndfile1-dev libsoxr-dev libkissfft-dev libtag1-dev
  libavformat-dev libavcodec-dev libavutil-dev libswresample-dev libebur128-dev
  libtorch-dev
  # db/, config/, daemon/
  libssl-dev libsqlite3-dev sqlite3 libtomlplusplus-dev libboost-dev libspdlog-dev libfmt-dev
  libcli11-dev nlohmann-json3-dev libsystemd-dev systemd
  # daemon/mpd/: vibectl play and the keep-playing mode talk to MPD
  libmpdclient-dev
  # tests: GoogleTest, fixture makers, the MPD compatibility check
  libgtest-dev libgmock-dev googletest ffmpeg sox espeak-ng mpd mpc
  # tests: the VLC compatibility check (cvlc and its file, WAV and M3U modules)
  vlc-bin vlc-plugin-base
  # tests: the read-only database check (an ext4 image on a loop device)
  e2fsprogs util-linux
  # tests/bench/: /usr/bin/time for CPU time and peak memory
  time
  # tests: the map page (vibectl map) rendered in a real headless browser
  chromium
  # tests: the manual pages rendered as a user reads them (man -l; shell_reference_test)
  man-db groff-base
  # model/: importing VibeNet and training the student (system interpreter only)
  python3 python3-venv python3-numpy python3-torch python3-torchvision python3-onnx
  # model/train_moods.py: regularised logistic regression with grouped cross-validation
  python3-sklearn
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# mpd's package starts a system-wide daemon; the tests run their own instance.
if command -v systemctl >/dev/null && systemctl is-active --quiet mpd 2>/dev/null; then
  $SUDO systemctl disable --now mpd mpd.socket >/dev/null 2>&1 || true
fi
echo "install-deps: done"
