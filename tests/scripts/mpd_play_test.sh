#!/usr/bin/env bash
# vibectl play against a real MPD started here: a query's tracks replace the
# queue and play; --append appends; a track MPD does not know yet is taken in
# by an update; a track outside MPD's music_directory is skipped with one
# warning naming it; a wrong password and an MPD that is not running give a
# clear one-line error, quickly. `play radio SEED` queues the seed and tracks
# like it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

start_test_dir
require_mpd
trap 'status=$?; stop_mpd; stop_test_dir $status' EXIT

mkdir -p "$dir/library/A" "$dir/library/B" "$dir/elsewhere" "$dir/mpd"
cp "$fixture_dir/song.mp3" "$dir/library/A/one.mp3"
cp "$fixture_dir/song.flac" "$dir/library/A/two.flac"
cp "$fixture_dir/song.ogg" "$dir/library/B/three.ogg"
cp "$fixture_dir/song.wav" "$dir/elsewhere/outside.wav"
write_config "$dir"
# Two library folders; MPD only plays the first.
sed -i "s|^paths = .*|paths = [\"$dir/library\", \"$dir/elsewhere\"]|" "$dir/config.toml"
cat >> "$dir/config.toml" <<TOML
[mpd]
host = "$dir/mpd.sock"
timeout_seconds = 5
TOML

write_mpd_config "$dir/library" 'password           "right@read,add,control,admin"' \
  'default_permissions "read,add,control,admin"'
start_test_mpd
export MPD_HOST="$dir/mpd.sock"
mpc -q update --wait

# A file MPD has not seen yet (no update since): vibectl play must have MPD take it in.
cp "$fixture_dir/tone-16k.wav" "$dir/library/B/four.wav"
"$vibed" --once -c "$dir/config.toml" > "$dir/vibed.log" 2>&1 || fail "vibed --once failed: $(tail -5 "$dir/vibed.log")"
unset MPD_HOST  # from here on vibed's [mpd] host is what counts

queue() { MPD_HOST="$dir/mpd.sock" mpc -f '%file%' playlist; }
state() { MPD_HOST="$dir/mpd.sock" mpc status | sed -n 's/^\[\([a-z]*\)\].*/\1/p'; }

# Something else in the queue first: play replaces it.
MPD_HOST="$dir/mpd.sock" mpc -q add A/one.mp3
everything="path ~ \"$dir/*\""
"$vibectl" -c "$dir/config.toml" play "$everything" > "$dir/play.out" 2> "$dir/play.err" && code=0 || code=$?
[ "$code" = 3 ] || fail "play should exit 3 (played, some skipped), got $code: $(cat "$dir/play.err")"
expected="A/one.mp3
A/two.flac
B/four.wav
B/three.ogg"
[ "$(queue)" = "$expected" ] || fail "queue after play:
$(queue)
expected
$expected"
[ "$(state)" = playing ] || fail "MPD is not playing after vibectl play: $(MPD_HOST="$dir/mpd.sock" mpc status)"
grep -qF "queue replaced with 4 tracks of the query" "$dir/play.out" || fail "play said: $(cat "$dir/play.out")"
[ "$(grep -c "outside.wav" "$dir/play.err")" = 1 ] || fail "expected one warning naming outside.wav: $(cat "$dir/play.err")"
grep -qF "$dir/elsewhere/outside.wav: outside MPD's music_directory $dir/library; skipped" "$dir/play.err" ||
  fail "warning: $(cat "$dir/play.err")"
echo "ok: play replaced the queue, took in a new file by an update, skipped the outside one"

# --append adds after what is there and leaves playback alone.
"$vibectl" -c "$dir/config.toml" play --append "path ~ \"*/B/*\"" > "$dir/append.out" 2> "$dir/append.err" ||
  fail "play --append failed: $(cat "$dir/append.err")"
[ "$(queue)" = "$expected
B/four.wav
B/three.ogg" ] || fail "queue after --append: $(queue)"
[ "$(state)" = playing ] || fail "MPD stopped playing after --append"
echo "ok: --append appended"

# play radio SEED: the seed, then tracks like it, replace the queue.
in_library="path ~ \"$dir/library/*\""
"$vibectl" -c "$dir/config.toml" play radio "$dir/library/A/two.flac" --limit 3 --artist-gap 0 --where "$in_library" \
  > "$dir/radio.out" 2> "$dir/radio.err" || fail "play radio failed: $(cat "$dir/radio.err")"
[ "$(queue | head -n 1)" = A/two.flac ] || fail "the radio does not start at its seed: $(queue)"
[ "$(queue | wc -l)" = 3 ] || fail "expected 3 tracks from play radio --limit 3: $(queue)"
[ "$(queue | sort -u | wc -l)" = 3 ] || fail "the radio queued a track twice: $(queue)"
grep -qF "queue replaced with 3 tracks of the radio from" "$dir/radio.out" || fail "play radio said: $(cat "$dir/radio.out")"
[ "$(state)" = playing ] || fail "MPD is not playing after play radio"
"$vibectl" -c "$dir/config.toml" play --limit 3 "$everything" > /dev/null 2> "$dir/limit.err" &&
  fail "--limit outside a radio was accepted"
grep -qF "are for \`vibectl play radio SEED...\`" "$dir/limit.err" || fail "--limit message: $(cat "$dir/limit.err")"
echo "ok: play radio queued the seed and two like it"

# Nothing playable: the queue stays as it was.
before=$(queue)
"$vibectl" -c "$dir/config.toml" play "path ~ \"$dir/elsewhere/*\"" > /dev/null 2> "$dir/none.err" &&
  fail "play of tracks MPD cannot reach succeeded"
grep -qF "its queue is unchanged" "$dir/none.err" || fail "nothing-playable message: $(cat "$dir/none.err")"
[ "$(queue)" = "$before" ] || fail "the queue changed although nothing could be queued"
echo "ok: nothing playable leaves the queue alone"

# Neither a playlist nor a query.
"$vibectl" -c "$dir/config.toml" play "energy >" > /dev/null 2> "$dir/bad.err" && fail "a bad query played"
grep -qF "is neither a playlist" "$dir/bad.err" || fail "bad target message: $(cat "$dir/bad.err")"

# A wrong password: MPD's own words, at once.
started=$SECONDS
MPD_HOST="wrong@$dir/mpd.sock" "$vibectl" -c "$dir/config.toml" play "$everything" > /dev/null 2> "$dir/password.err" &&
  fail "play with a wrong password succeeded"
[ $((SECONDS - started)) -lt 5 ] || fail "a wrong password took $((SECONDS - started)) s"
grep -qF "vibectl: MPD at $dir/mpd.sock: password: incorrect password" "$dir/password.err" ||
  fail "wrong-password message: $(cat "$dir/password.err")"
echo "ok: $(cat "$dir/password.err")"

# MPD not running: a clear error within the timeout, not a hang.
stop_mpd
started=$SECONDS
"$vibectl" -c "$dir/config.toml" play "$everything" > /dev/null 2> "$dir/down.err" && fail "play without MPD succeeded"
[ $((SECONDS - started)) -lt 10 ] || fail "play without MPD took $((SECONDS - started)) s"
grep -qF "vibectl: MPD at $dir/mpd.sock: cannot connect:" "$dir/down.err" || fail "MPD-down message: $(cat "$dir/down.err")"
echo "ok: $(cat "$dir/down.err")"
echo PASS
