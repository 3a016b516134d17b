#!/usr/bin/env bash
# The shipped user unit passes `systemd-analyze verify`, and it keeps the
# settings users rely on (Type=notify, watchdog, idle priorities, sandbox).
set -euo pipefail
source_dir=${VIBED_SOURCE_DIR:?}
binary_dir=${VIBED_BINARY_DIR:?}
unit="$source_dir/systemd/vibed.service"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# verify checks that ExecStart exists: point it at the binary we just built.
sed "s|^ExecStart=/usr/local/bin/vibed|ExecStart=$binary_dir/daemon/vibed|" "$unit" > "$work/vibed.service"
output=$(systemd-analyze verify "$work/vibed.service" 2>&1) || { echo "$output"; exit 1; }
# verify reports some problems as warnings while exiting 0: any line about
# our unit is a failure.
if grep -i "vibed.service" <<<"$output"; then
  echo "systemd-analyze verify complained about the unit" >&2
  exit 1
fi

for setting in Type=notify WatchdogSec= ExecReload= Nice=19 CPUSchedulingPolicy=idle IOSchedulingClass=idle \
               ProtectSystem=strict NoNewPrivileges=yes "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"; do
  grep -q "^$setting" "$unit" || { echo "missing $setting in $unit" >&2; exit 1; }
done
echo "systemd unit: ok"
