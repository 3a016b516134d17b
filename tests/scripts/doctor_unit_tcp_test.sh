#!/usr/bin/env bash
# keep_playing against an MPD over TCP under the systemd unit (issue 18,
# item 6): the shipped unit allows AF_INET/AF_INET6; a unit installed before
# that (AF_UNIX only) makes `vibectl doctor` say why vibed cannot reach MPD,
# print the drop-in that allows TCP and write it with --write-drop-in, after
# which doctor is content.
source "$(dirname "$0")/lib.sh"

start_test_dir
mkdir -p "$dir/library" "$dir/home/.config/systemd/user" "$dir/run"
chmod 700 "$dir/run"
export HOME="$dir/home" XDG_CONFIG_HOME="$dir/home/.config" XDG_DATA_HOME="$dir/home/.local/share" XDG_RUNTIME_DIR="$dir/run"
unset MPD_HOST MPD_PORT
write_config "$dir"
cat >> "$dir/config.toml" <<'TOML'
[mpd]
host = "localhost"
port = 6600
keep_playing = true
TOML
unit_dir="$dir/home/.config/systemd/user"

grep -qx "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" "$source_dir/systemd/vibed.service" ||
  fail "the shipped unit does not allow TCP: $(grep RestrictAddressFamilies "$source_dir/systemd/vibed.service")"
cp "$source_dir/systemd/vibed.service" "$unit_dir/vibed.service"
"$vibectl" -c "$dir/config.toml" doctor > "$dir/out" 2>&1 || true
! grep -q "keep_playing cannot reach MPD" "$dir/out" || fail "doctor complains about the shipped unit: $(cat "$dir/out")"
echo "ok: the shipped unit allows MPD over TCP"

sed -i 's/^RestrictAddressFamilies=.*/RestrictAddressFamilies=AF_UNIX/' "$unit_dir/vibed.service"
"$vibectl" -c "$dir/config.toml" doctor > "$dir/out" 2>&1 && code=0 || code=$?
[ "$code" = 1 ] || fail "doctor exited $code under an AF_UNIX-only unit: $(cat "$dir/out")"
grep -q "PROBLEM: $unit_dir/vibed.service allows only AF_UNIX, so keep_playing cannot reach MPD at localhost:6600" "$dir/out" ||
  fail "doctor: $(cat "$dir/out")"
"$vibectl" -c "$dir/config.toml" doctor --write-drop-in > "$dir/out" 2>&1 || true
grep -qx "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" "$unit_dir/vibed.service.d/vibed-network.conf" ||
  fail "no drop-in written: $(cat "$dir/out")"
"$vibectl" -c "$dir/config.toml" doctor > "$dir/out" 2>&1 || true
! grep -q "keep_playing cannot reach MPD" "$dir/out" || fail "doctor still complains with the drop-in: $(cat "$dir/out")"
if command -v systemd-analyze >/dev/null; then
  sed -i "s|^ExecStart=.*|ExecStart=$vibed|" "$unit_dir/vibed.service"
  out=$(systemd-analyze verify "$unit_dir/vibed.service" 2>&1) || fail "verify with the drop-in: $out"
fi
echo "ok: doctor finds an AF_UNIX-only unit and writes the drop-in"
echo PASS
