#!/usr/bin/env bash
# `vibectl journey --to calm --until HH:MM`: as long as from now until then
# (said on stderr, the playlist within it), starting at steady without a day
# curve and where the curve is now with one; --until and --limit exclude
# each other; a bad time is refused.
source "$(dirname "$0")/lib.sh"

start_test_dir
L="$dir/library"
write_config_with_similarity "$dir"
for name in song.flac song.ogg song.opus song.mp3; do cp "$fixture_dir/$name" "$L/$name"; done
"$vibed" -c "$dir/config.toml" --once >"$dir/first.log" 2>&1 || fail "vibed --once failed"
vibectl() { "$vibectl" -c "$dir/config.toml" "$@"; }

# Two minutes from now (local time); across midnight it is still two minutes.
until_time=$(date -d '+2 minutes' +%H:%M)
vibectl journey --to calm --until "$until_time" -f json >"$dir/out.json" 2>"$dir/err" || fail "journey --until: $(cat "$dir/err")"
grep -Eq "^until $until_time: 1:[0-9][0-9] from now$|^until $until_time: 2:00 from now$" "$dir/err" || fail "until said: $(cat "$dir/err")"
grep -q "^Journey: steady to calm: " "$dir/err" || fail "no steady start: $(cat "$dir/err")"
python3 - "$dir/out.json" <<'PY' || fail "the journey outlasts --until: $(cat "$dir/out.json")"
import json, sys
tracks = json.load(open(sys.argv[1]))
assert tracks and sum(t["duration"] for t in tracks) <= 120, [t["duration"] for t in tracks]
PY
# A time earlier today means tomorrow's: about a day long.
past=$(date -d '-2 minutes' +%H:%M)
vibectl journey --to calm --until "$past" -f paths 2>"$dir/err" >/dev/null || fail "journey --until $past: $(cat "$dir/err")"
grep -Eq "^until $past: 23:5[0-9]:[0-9][0-9] from now$" "$dir/err" || fail "until a past time said: $(cat "$dir/err")"

# With a day curve the journey starts where the curve is now.
printf '[mpd.day_curve]\n"00:00" = "tense"\n' >>"$dir/config.toml"
vibectl journey --to calm --limit 3 -f paths 2>"$dir/err" >/dev/null || fail "journey with a curve: $(cat "$dir/err")"
grep -q "^Journey: the day curve's mood now to calm: " "$dir/err" || fail "no curve start: $(cat "$dir/err")"

vibectl journey --to calm --until "$until_time" --limit 5 2>"$dir/err" && fail "--until with --limit was accepted"
grep -q "give --limit or --until, not both" "$dir/err" || fail "both: $(cat "$dir/err")"
vibectl journey --to calm --until 25:00 2>"$dir/err" && fail "--until 25:00 was accepted"
grep -q "expected a time of day, HH:MM" "$dir/err" || fail "bad time: $(cat "$dir/err")"
echo "journey_until_test: ok"
