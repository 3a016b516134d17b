#!/usr/bin/env bash
# A user install, no root needed once the dependencies are there: builds
# vibed (Release) and installs it under PREFIX (default ~/.local):
#   PREFIX/bin/vibed, vibectl            (~/.local/bin is on PATH in most shells)
#   PREFIX/lib/vibed, share/vibed/models (found from the binaries; the checkout may go)
#   PREFIX/share/systemd/user/vibed.service (a user unit folder for ~/.local)
#   PREFIX/share/man/man1/vibed.1, vibectl.1; PREFIX/share/bash-completion/completions/vibectl
# Usage: scripts/install.sh [PREFIX]   VIBED_BUILD_DIR picks the build folder (default: build-release).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-$HOME/.local}
build=${VIBED_BUILD_DIR:-build-release}
scripts/install-deps.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIBED_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target vibed vibectl vibed_torch_model vibectl_reference
cmake --install "$build" --prefix "$prefix"
echo
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "note: $prefix/bin is not on your PATH; add it (e.g. in ~/.profile: PATH=\"$prefix/bin:\$PATH\")" ;;
esac
echo "installed under $prefix. Next:"
echo "  vibectl doctor                                      # what MPD, VLC, Navidrome will see"
echo "  systemctl --user daemon-reload && systemctl --user enable --now vibed"
