#!/usr/bin/env bash
# The daemon keeps going (issue 12): the real vibed, with at most 1,024 file
# descriptors (systemd's default), its database on a 2 MB tmpfs (schema 3's vectors and the WAL outgrew 512 KB), gets
#   1. a control request nested 100,000 levels deep,
#   2. 1,500 idle connections while a file is added,
#   3. its database locked by a second sqlite3 process while a file is deleted,
#   4. a full disk while a file is deleted and another added,
#   5. a reload with a model that does not exist,
# and after each: it still runs, `vibectl status` shows the problem while it
# lasts, nothing committed is lost and it catches up once the trouble ends.
# Then (issue 19) 7. a clean stop leaves no WAL, 8. a restart repairs the
# playlists, 9. a read-only playlist folder is retried until it is writable,
# 10. a scan of LIBRARY/../outside is refused, 11. a disk full before the
# index exists makes vibed wait, not exit.
# Then, as an unprivileged user, 6. an unreadable folder inside the library.
# A database whose file system turns read-only: daemon_readonly_db_test.sh.
# Needs root (mount, setpriv).
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
  echo "daemon faults test: SKIPPED (needs root for mount -t tmpfs and setpriv)"
  exit 0
fi

dir=$(mktemp -d)
chmod 755 "$dir"
daemon_pid=""
lock_pid=""
cleanup() {
  [ -n "$lock_pid" ] && kill "$lock_pid" 2>/dev/null
  [ -n "$daemon_pid" ] && kill -9 "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  mountpoint -q "$dir/playlists" && umount "$dir/playlists"
  mountpoint -q "$dir/dbfs" && umount "$dir/dbfs"
  [ -n "${KEEP_TEST_DIR:-}" ] && echo "kept $dir" >&2 || rm -rf "$dir"
}
trap cleanup EXIT

mkdir -p "$dir/library/a" "$dir/dbfs"
mount -t tmpfs -o size=2m tmpfs "$dir/dbfs"
write_config "$dir"
sed -i "s|path = \"$dir/data/library.db\"|path = \"$dir/dbfs/library.db\"|" "$dir/config.toml"
grep -q dbfs "$dir/config.toml" || fail "config: database not moved to the tmpfs"
cat >> "$dir/config.toml" <<'TOML'
[[playlist]]
name = "Everything"
query = "energy >= 0"
TOML
cp "$fixture_dir/song.mp3" "$dir/library/a/one.mp3"
cp "$fixture_dir/song.flac" "$dir/library/a/two.flac"
cp "$fixture_dir/song.ogg" "$dir/library/a/three.ogg"
mkfifo "$dir/library/a/pipe.mp3"        # skipped with a log line, never opened
ln -s /dev/zero "$dir/library/a/zero.mp3"

alive() { kill -0 "$daemon_pid" 2>/dev/null || fail "vibed exited: $(tail -n 5 "$dir/vibed.log")"; }
ctl() { "$vibectl" -c "$dir/config.toml" "$@"; }
analysed_is() { [ "$(status_field "$dir" analysed)" = "$1" ]; }
no_problems() { ctl status --json | python3 -c "import json,sys; sys.exit(1 if json.load(sys.stdin)['daemon']['problems'] else 0)"; }
indexed() { indexed_paths "$dir" | grep -x "$1" >/dev/null; }
not_indexed() { ! indexed "$1"; }
status_of() { ctl export -f json | python3 -c "
import json, sys
print(next((t['status'] for t in json.load(sys.stdin) if t['path'] == '$1'), 'absent'))"; }
status_is() { [ "$(status_of "$1")" = "$2" ]; }

prlimit --nofile=1024 "$vibed" -c "$dir/config.toml" >"$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 120 "three tracks analysed" analysed_is 3
grep -q "pipe.mp3: not a regular file" "$dir/vibed.log" || fail "a FIFO in the library was skipped silently"
grep -q "zero.mp3: not a regular file" "$dir/vibed.log" || fail "a link to a device was skipped silently"
rm "$dir/library/a/pipe.mp3" "$dir/library/a/zero.mp3"

# 1. Deep JSON: refused with a reason, the daemon stays.
python3 - "$dir/vibed.sock" <<'PY' || fail "deep JSON: no refusal with a reason"
import json, socket, sys
depth = 100_000
line = '{"v": 1, "command": "status", "args": ' + '{"a":' * depth + '1' + '}' * depth + '}\n'
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(line.encode())
reply = b""
while not reply.endswith(b"\n"):
    chunk = s.recv(4096)
    if not chunk: break
    reply += chunk
sys.exit(0 if "nests deeper" in json.loads(reply)["error"] else 1)
PY
alive
ctl status >/dev/null || fail "status after deep JSON"

# 2. 1,500 idle connections (the daemon may open 1,024 descriptors): status
# still answers and a file added meanwhile is analysed, not stored as
# "Too many open files".
python3 - "$dir/vibed.sock" "$dir/idle.ready" "$dir/idle.release" <<'PY' &
import os, resource, socket, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
held = []
for _ in range(1500):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    held.append(s)
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.1)
PY
idle_pid=$!
wait_until 60 "1,500 connections opened" test -f "$dir/idle.ready"
cp "$fixture_dir/song.wav" "$dir/library/a/four.wav"
ctl status >/dev/null || fail "status with 1,500 idle connections"
wait_until 120 "the file added among idle connections" analysed_is 4
[ "$(status_of "$dir/library/a/four.wav")" = ok ] || fail "four.wav: $(status_of "$dir/library/a/four.wav")"
touch "$dir/idle.release"
wait "$idle_pid"
alive

# A bad file whose name holds an escape sequence and a newline: its error
# line is logged with them escaped, not raw.
bad_name=$'evil\e[2J\nforged line.mp3'
cp "$fixture_dir/text.mp3" "$dir/library/a/$bad_name"
wait_until 60 "the bad file's error logged" grep -q 'evil\\x1b\[2J\\x0aforged line.mp3' "$dir/vibed.log"
grep -q $'\e\[2J' "$dir/vibed.log" && fail "a raw escape sequence reached the log"
grep -q "^forged line" "$dir/vibed.log" && fail "a file name forged a log line"
# vibectl errors lists it with its reason; status says where to look.
wait_until 30 "the failure stored" bash -c "'$vibectl' -c '$dir/config.toml' errors 2>/dev/null | grep -q 'forged line.mp3'"
ctl errors --json | python3 -c "
import json, sys
errors = json.load(sys.stdin)
assert len(errors) == 1 and errors[0]['path'].endswith('forged line.mp3') and errors[0]['error'], errors
" || fail "vibectl errors: $(ctl errors 2>&1)"
ctl status | grep -q "1 failed (vibectl errors lists them)" || fail "status does not point at vibectl errors: $(ctl status)"
rm "$dir/library/a/$bad_name"

# 3. Another process holds a write transaction for 12 s (longer than the
# 5 s busy timeout) while a file is deleted.
(echo "BEGIN IMMEDIATE; DELETE FROM models WHERE 0;"; sleep 12; echo "COMMIT;") | sqlite3 "$dir/dbfs/library.db" &
lock_pid=$!
sleep 0.5
rm "$dir/library/a/one.mp3"
wait_until 30 "the lock shown in status" problem_matches "$dir" database locked
ctl status | grep -q "^PROBLEM:   database: .*locked" || fail "status text without the problem: $(ctl status)"
alive
wait "$lock_pid"
lock_pid=""
wait_until 60 "the deletion applied after the lock" not_indexed "$dir/library/a/one.mp3"
wait_until 30 "the database problem cleared" no_problems
alive

# 4. The disk fills up: a deletion and a new file wait, nothing is lost.
dd if=/dev/zero of="$dir/dbfs/filler" bs=4k 2>/dev/null || true
rm "$dir/library/a/two.flac"
cp "$fixture_dir/song.opus" "$dir/library/a/five.opus"
wait_until 60 "the full disk shown in status" problem_matches "$dir" database full
alive
indexed "$dir/library/a/three.ogg" || fail "a committed track vanished while the disk was full"
rm "$dir/dbfs/filler"
wait_until 60 "the deletion applied after the disk had room" not_indexed "$dir/library/a/two.flac"
wait_until 120 "the file added while the disk was full analysed" status_is "$dir/library/a/five.opus" ok
wait_until 30 "the problem cleared" no_problems
alive
[ "$(sqlite3 "file:$dir/dbfs/library.db?mode=ro" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check failed"
[ "$(indexed_paths "$dir" | tr '\n' ' ')" = "$dir/library/a/five.opus $dir/library/a/four.wav $dir/library/a/three.ogg " ] ||
  fail "index after the faults: $(indexed_paths "$dir")"
analysed_is 3 || fail "analysed after the faults: $(status_field "$dir" analysed)"
# One coherent picture when idle: no rate or ETA, the config, the playlist
# folder and when the playlists were written.
wait_until 30 "status idle" bash -c "'$vibectl' -c '$dir/config.toml' status | grep -qx 'work:      idle'"
status_text=$(ctl status)
grep -q "^config:    $dir/config.toml$" <<<"$status_text" || fail "status without the config file: $status_text"
grep -q "^playlists: $dir/playlists$" <<<"$status_text" || fail "status without the playlist folder: $status_text"
grep -q "^written:   20" <<<"$status_text" || fail "status without the last playlist write: $status_text"
grep -q "tracks/s\|ETA\|left" <<<"$status_text" && fail "an idle status shows a rate: $status_text"
grep -q "Too many open files" "$dir/vibed.log" && fail "ran out of file descriptors: $(grep "Too many" "$dir/vibed.log" | head -3)"

# 5. A reload asking for a model that does not exist keeps the running one
# (and its workers), and the reply says why.
cp "$dir/config.toml" "$dir/config.good"
sed -i "s|^model = .*|model = \"$dir/no-such-model.pt\"|" "$dir/config.toml"
python3 - "$dir/vibed.sock" <<'PY' || fail "reload with a bad model was not refused"
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b'{"v": 1, "command": "reload", "args": {}}\n')
reply = json.loads(s.makefile().readline())
print(reply.get("error", ""))
sys.exit(0 if not reply["ok"] and "no-such-model" in reply["error"] else 1)
PY
cp "$fixture_dir/song.mp3" "$dir/library/a/six.mp3"
wait_until 120 "a file analysed after the refused reload" analysed_is 4
cp "$dir/config.good" "$dir/config.toml"
alive

kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "vibed exited with $? on SIGTERM"
daemon_pid=""
# 7. A clean stop after `vibectl status` was answered (the loop's read-only
# connection is open) leaves the whole index in library.db: no WAL.
wal_left() { [ -e "$dir/dbfs/library.db-wal" ] || [ -e "$dir/dbfs/library.db-shm" ]; }
wal_left && fail "a clean stop left $(ls "$dir/dbfs" | tr '\n' ' ')"
[ "$(sqlite3 "file:$dir/dbfs/library.db?immutable=1" "SELECT count(*) FROM tracks")" = 4 ] ||
  fail "library.db alone does not hold the index"

# 8. A restart brings the playlists up to date although the index did not
# change (a kill -9 inside regenerate_delay, a file deleted by hand), leaves
# unchanged files alone and removes a temporary left by a killed writer.
kept="$dir/playlists/Everything.m3u" lost="$dir/playlists/Chill.m3u"
[ -f "$kept" ] && [ -f "$lost" ] || fail "playlists missing before the restart: $(ls "$dir/playlists")"
kept_inode=$(stat -c %i "$kept")
rm "$lost"
sleep 0 & dead_pid=$!; wait "$dead_pid"
abandoned="$dir/playlists/.$(basename "$lost").$dead_pid-0.tmp"
echo partial > "$abandoned"
prlimit --nofile=1024 "$vibed" -c "$dir/config.toml" >"$dir/vibed2.log" 2>&1 &
daemon_pid=$!
wait_until 60 "the deleted playlist written at start-up" test -f "$lost"
wait_until 30 "the abandoned temporary removed" test ! -e "$abandoned"
[ "$(stat -c %i "$kept")" = "$kept_inode" ] || fail "an unchanged playlist was rewritten at start-up"

# 9. The playlist folder turns read-only: the failure shows in status and is
# retried until the folder can be written again, then the problem clears.
mount --bind "$dir/playlists" "$dir/playlists"
mount -o remount,bind,ro "$dir/playlists"
cp "$fixture_dir/song.wav" "$dir/library/a/nine.wav"
wait_until 120 "the read-only playlist folder shown in status" problem_matches "$dir" playlists "Read-only"
umount "$dir/playlists"
wait_until 40 "the playlists written once the folder is writable" grep -q "nine.wav" "$kept"
wait_until 30 "the playlist problem cleared" no_problems

# 10. A scan request for LIBRARY/../outside is refused, not walked.
mkdir -p "$dir/outside"
cp "$fixture_dir/song.mp3" "$dir/outside/stray.mp3"
python3 - "$dir/vibed.sock" "$dir/library/../outside" <<'PY' || fail "a scan of LIBRARY/../outside was not refused"
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(json.dumps({"v": 1, "command": "scan", "args": {"path": sys.argv[2]}}).encode() + b"\n")
reply = json.loads(s.makefile().readline())
print(reply)
sys.exit(0 if not reply["ok"] and "outside the library" in reply["error"] else 1)
PY
python3 - "$dir/vibed.sock" <<'PY' || fail "a scan with a number for its path got no clear reason"
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b'{"v": 1, "command": "scan", "args": {"path": 42}}\n')
reply = json.loads(s.makefile().readline())
print(reply)
sys.exit(0 if not reply["ok"] and reply["error"].startswith('scan: "path" must be a string') else 1)
PY
sleep 1
indexed_paths "$dir" | grep -q stray.mp3 && fail "a file outside the library was indexed"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "vibed exited with $? on SIGTERM"
daemon_pid=""
wal_left && fail "the second clean stop left the WAL"

# 11. The disk is full before a new index exists: vibed waits for room
# instead of exiting, then starts.
mkdir -p "$dir/empty-library"
sed -e "s|$dir/dbfs/library.db|$dir/dbfs/fresh.db|" -e "s|paths = \[\"$dir/library\"\]|paths = [\"$dir/empty-library\"]|" \
  "$dir/config.toml" > "$dir/fresh.toml"
grep -q fresh.db "$dir/fresh.toml" && grep -q empty-library "$dir/fresh.toml" || fail "fresh.toml: $(cat "$dir/fresh.toml")"
dd if=/dev/zero of="$dir/dbfs/filler" bs=4k 2>/dev/null || true
"$vibed" -c "$dir/fresh.toml" >"$dir/fresh.log" 2>&1 &
daemon_pid=$!
wait_until 30 "the full disk logged" grep -q "waiting for free space" "$dir/fresh.log"
sleep 2
alive
rm "$dir/dbfs/filler"
wait_until 60 "vibed started once there was room" test -S "$dir/vibed.sock"
"$vibectl" -c "$dir/fresh.toml" status >/dev/null || fail "status of the fresh index"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "vibed exited with $? on SIGTERM"
daemon_pid=""
rm -f "$dir/dbfs/fresh.db"*

# --once indexes what is new, writes the playlists and exits.
rm -rf "$dir/playlists"
cp "$fixture_dir/song.flac" "$dir/library/a/eight.flac"
touch -d '1 minute ago' "$dir/library/a/eight.flac"  # settled already
timeout 120 "$vibed" -c "$dir/config.toml" --once >"$dir/once.log" 2>&1 || fail "vibed --once: $(tail -n 5 "$dir/once.log")"
status_is "$dir/library/a/eight.flac" ok || fail "--once did not analyse the new file"
ls "$dir/playlists"/*.m3u >/dev/null 2>&1 || fail "--once wrote no playlists"

# A database path pointing at a music file is refused before anything is
# created next to it in the library.
if "$vibed" -c "$dir/config.toml" --database "$dir/library/a/three.ogg" --once >"$dir/wrong-db.log" 2>&1; then
  fail "vibed accepted a music file as its database"
fi
grep -q "three.ogg: not an SQLite database" "$dir/wrong-db.log" || fail "wrong database: $(cat "$dir/wrong-db.log")"
[ ! -e "$dir/library/a/three.ogg.lock" ] || fail "a lock file was left in the library"
# A damaged index: the error says how to rebuild it.
{ printf 'SQLite format 3\0'; head -c 8192 /dev/urandom; } > "$dir/damaged.db"
if "$vibed" -c "$dir/config.toml" --database "$dir/damaged.db" --once >"$dir/damaged.log" 2>&1; then
  fail "vibed ran on a damaged index"
fi
grep -q "delete the database file" "$dir/damaged.log" || fail "damaged index: $(cat "$dir/damaged.log")"

# 6. An unreadable folder inside the library (another user's mkdir -m 700),
# with vibed running as an ordinary user (root reads everything): skipped
# with a warning, not taken for an unmounted library folder.
user_dir="$dir/user"
mkdir -p "$user_dir/library/mine"
write_config "$user_dir"
cp "$fixture_dir/song.mp3" "$user_dir/library/mine/seven.mp3"
chown -R nobody:nogroup "$user_dir"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$user_dir" "$vibed" -c "$user_dir/config.toml" \
  >"$user_dir/vibed.log" 2>&1 &
daemon_pid=$!
user_analysed() { [ "$(as_nobody "$vibectl" -c "$user_dir/config.toml" status --json | python3 -c "import json,sys; print(json.load(sys.stdin)['tracks']['analysed'])")" = "$1" ]; }
wait_until 120 "the unprivileged daemon's first track" user_analysed 1
mkdir -m 700 "$user_dir/library/private"  # root's: nobody cannot list it
cp "$fixture_dir/song.flac" "$user_dir/library/private/hidden.flac"
sleep 7  # more than one 5 s offline check
kill -0 "$daemon_pid" || fail "the unprivileged vibed exited: $(tail -n 5 "$user_dir/vibed.log")"
offline=$(as_nobody "$vibectl" -c "$user_dir/config.toml" status --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)['daemon']['offline_folders']))")
[ "$offline" = 0 ] || fail "an unreadable subfolder was taken for an offline library folder"
grep -q "private: cannot list folder" "$user_dir/vibed.log" || fail "no warning about the unreadable folder: $(cat "$user_dir/vibed.log")"
grep -q "private: library folder" "$user_dir/vibed.log" && fail "the subfolder was treated as a library folder: $(grep private "$user_dir/vibed.log")"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "unprivileged vibed exited with $? on SIGTERM"
daemon_pid=""
echo "daemon faults test: ok"
