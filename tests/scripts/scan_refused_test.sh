#!/usr/bin/env bash
# What the scanner cannot index is named in `vibectl errors` with its reason
# (issue 19, item 9): a FIFO and a link to a device with audio names (never
# opened, so the scan cannot block on them), symbolic link loops, a broken
# link, and a track whose path is longer than the system allows. The rest of
# the library is analysed; a rescan neither drops nor rewrites those rows, and
# an entry that goes away takes its row with it.
source "$(dirname "$0")/lib.sh"

start_test_dir
mkdir -p "$dir/library/a"
write_config "$dir"
cp "$fixture_dir/song.mp3" "$dir/library/a/good.mp3"
mkfifo "$dir/library/a/pipe.mp3"
ln -s /dev/zero "$dir/library/a/zero.flac"
ln -s loop2.mp3 "$dir/library/a/loop1.mp3"
ln -s loop1.mp3 "$dir/library/a/loop2.mp3"
ln -s self "$dir/library/a/self"
ln -s nowhere.ogg "$dir/library/a/broken.ogg"
# 21 folders of 200 bytes: the innermost one's path is longer than PATH_MAX
# (4096), made one level at a time, relative to the last.
python3 - "$dir/library" "$fixture_dir/song.mp3" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
for _ in range(21):
    os.mkdir("d" * 200, dir_fd=fd)
    inner = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = inner
track = os.open("deep.mp3", os.O_WRONLY | os.O_CREAT, dir_fd=fd)
os.write(track, open(sys.argv[2], "rb").read())
PY

"$vibed" -c "$dir/config.toml" > "$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 60 "the control socket" test -S "$dir/vibed.sock"
counts_are() { [ "$(status_field "$dir" analysed)/$(status_field "$dir" failed)" = "$1" ]; }
wait_until 180 "one track analysed, seven refused" counts_are 1/7

errors() { timeout 20 "$vibectl" -c "$dir/config.toml" errors 2>/dev/null; }
errors > "$dir/errors.txt" || fail "vibectl errors failed or hung"
expect_error() {
  grep -qxF "$1" "$dir/errors.txt" || fail "vibectl errors lacks '$1'; it printed: $(cut -c1-200 "$dir/errors.txt")"
}
expect_error "$dir/library/a/pipe.mp3: not a regular file (a FIFO, never opened)"
expect_error "$dir/library/a/zero.flac: not a regular file (a device, never opened)"
expect_error "$dir/library/a/loop1.mp3: a symbolic link loop (Too many levels of symbolic links)"
expect_error "$dir/library/a/loop2.mp3: a symbolic link loop (Too many levels of symbolic links)"
expect_error "$dir/library/a/self: a symbolic link loop (Too many levels of symbolic links)"
expect_error "$dir/library/a/broken.ogg: a broken symbolic link (its target does not exist)"
grep -q "/$(printf 'd%.0s' $(seq 200)): path too long ([0-9]* bytes; the system allows 4095)$" "$dir/errors.txt" ||
  fail "vibectl errors lacks the over-long path: $(cut -c1-200 "$dir/errors.txt")"
grep -q "pipe.mp3: not a regular file" "$dir/vibed.log" || fail "the FIFO was not logged"
echo "ok: FIFO, device link, link loops, broken link and over-long path named in vibectl errors"

# A rescan keeps the rows as they are (and writes none: the same seven lines).
scans() { grep -c "scanned library" "$dir/vibed.log"; }
before=$(scans)
"$vibectl" -c "$dir/config.toml" scan >/dev/null || fail "vibectl scan"
rescanned() { [ "$(scans)" -gt "$before" ]; }
wait_until 60 "the rescan" rescanned
counts_are 1/7 || fail "after a rescan: $(status_field "$dir" analysed) analysed, $(status_field "$dir" failed) failed"
errors | cmp -s - "$dir/errors.txt" || fail "the rescan changed vibectl errors"
grep "scanned library" "$dir/vibed.log" | tail -n 1 | grep -q ", 0 removed" || fail "the rescan removed rows"

# An entry that goes away takes its row with it.
rm "$dir/library/a/pipe.mp3"
"$vibectl" -c "$dir/config.toml" scan >/dev/null || fail "vibectl scan"
wait_until 60 "the FIFO's row gone" counts_are 1/6
echo "ok: a rescan keeps them; a removed one leaves"
