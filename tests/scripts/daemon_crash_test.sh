#!/usr/bin/env bash
# kill -9 in the middle of indexing, then a restart: every track ends up
# indexed exactly once, analysed, and the database passes integrity_check.
source "$(dirname "$0")/lib.sh"

dir=$(mktemp -d)
daemon_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && kill -9 "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  [ -n "${KEEP_TEST_DIR:-}" ] && echo "kept $dir" >&2 || rm -rf "$dir"
}
trap cleanup EXIT
mkdir -p "$dir/library/a" "$dir/library/b"
write_config "$dir"
# Enough work that the kill lands mid-way even with the fast student on a
# quiet machine: results are committed in batches (64 tracks or 2 s), so the
# whole run must take well over 2 s.
tracks=120
ffmpeg -nostdin -loglevel error -stream_loop 5 -i "$fixture_dir/song.wav" -t 120 -ac 1 -b:a 64k "$dir/long.mp3"
ffmpeg -nostdin -loglevel error -stream_loop 5 -i "$fixture_dir/song.wav" -t 120 -ac 1 -c:a libvorbis "$dir/long.ogg"
for i in $(seq 1 $((tracks / 2))); do
  cp "$dir/long.mp3" "$dir/library/a/track-$i.mp3"
  cp "$dir/long.ogg" "$dir/library/b/track-$i.ogg"
done

analysed_at_least() { [ "$(status_field "$dir" analysed)" -ge "$1" ]; }

"$vibed" -c "$dir/config.toml" >"$dir/first.log" 2>&1 &
daemon_pid=$!
wait_until 120 "the first results" analysed_at_least 1
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
daemon_pid=""
done_before=$(status_field "$dir" analysed)
[ "$done_before" -lt "$tracks" ] || fail "indexing finished before the kill; the test proves nothing"

"$vibed" -c "$dir/config.toml" >"$dir/second.log" 2>&1 &
daemon_pid=$!
wait_until 600 "all tracks analysed after the restart" analysed_at_least "$tracks"

[ "$(status_field "$dir" total)" = "$tracks" ] || fail "total is $(status_field "$dir" total), expected $tracks"
[ "$(status_field "$dir" failed)" = 0 ] || fail "failures after restart"
[ "$(indexed_paths "$dir" | sort -u | wc -l)" = "$tracks" ] || fail "duplicate or missing paths"
db="$dir/data/library.db"
[ "$(sqlite3 "file:$db?mode=ro" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check failed"
[ "$(sqlite3 "file:$db?mode=ro" 'SELECT COUNT(*) FROM attributes')" = "$tracks" ] || fail "attribute rows != tracks"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "vibed exited with $? on SIGTERM"
daemon_pid=""
echo "crash test: ok ($done_before of $tracks analysed before kill -9)"
