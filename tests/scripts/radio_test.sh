#!/usr/bin/env bash
# Similarity vectors, `vibectl similar`, radios and journeys end to end with
# the real vibed and vibectl on generated tracks: vectors are computed from the
# stored attributes and features when a similarity model is switched on (no
# audio decoded), neighbours agree with the vectors' own distances, and bad
# input (a seed not indexed, failed or still pending) gets one clear line.
source "$(dirname "$0")/lib.sh"

start_test_dir
mkdir -p "$dir/library"
write_config "$dir"
L="$dir/library"
make_track() {  # make_track FILE ARTIST SOX-SYNTH-ARGS...
  local file=$1 artist=$2
  shift 2
  sox -D -R -q -n -r 44100 -c 1 --comment "ARTIST=$artist" --comment "TITLE=$(basename "$file" .flac)" "$file" "$@"
}
make_track "$L/soft-a.flac" Quiet synth 8 sine 220 gain -30
make_track "$L/soft-b.flac" Hush synth 8 sine 330 gain -28
make_track "$L/soft-c.flac" Quiet synth 8 sine 262 sine 330 gain -26
make_track "$L/noise-a.flac" Noisy synth 8 pinknoise gain -6
make_track "$L/noise-b.flac" Static synth 8 whitenoise gain -8
make_track "$L/pulse-a.flac" Beat synth 0.05 sine 523.25 pad 0 0.45 repeat 15 gain -3
make_track "$L/pulse-b.flac" Drums synth 0.05 square 300 pad 0 0.30 repeat 24 gain -5
cp "$fixture_dir/text.mp3" "$L/broken.mp3"   # not audio: its analysis fails

# The issue's baseline space: the seven attributes, standardised, as they are.
python3 - "$dir/space.json" <<'PY'
import json, sys
names = ["acousticness", "danceability", "energy", "instrumentalness", "liveness", "speechiness", "valence"]
json.dump({"format": "vibed-similarity-model", "version": 1, "name": "attributes-7",
           "inputs": [{"name": n, "transform": "identity", "center": 0.5, "scale": 0.25} for n in names],
           "dimensions": 7,
           "projection": [[1.0 if i == j else 0.0 for j in range(7)] for i in range(7)]},
          open(sys.argv[1], "w"))
PY

vibectl() { "$vibectl" -c "$dir/config.toml" "$@"; }

# 1. Without a similarity model: indexed, but no vectors, and vibectl says why.
sed -i 's|^\[analysis\]|[analysis]\nsimilarity_model = "none"|' "$dir/config.toml"
"$vibed" -c "$dir/config.toml" --once >"$dir/first.log" 2>&1 || fail "vibed --once failed: $(cat "$dir/first.log")"
vibectl similar "$L/soft-a.flac" 2>"$dir/err" && fail "similar worked with similarity off"
grep -q 'similarity is turned off' "$dir/err" || fail "similarity off: $(cat "$dir/err")"
vibectl status | grep -q '^vectors: *off' || fail "status with similarity off: $(vibectl status)"

# 2. Switched on: every analysed track gets its vector at start, without decoding.
sed -i "s|^similarity_model = .*|similarity_model = \"$dir/space.json\"|" "$dir/config.toml"
"$vibed" -c "$dir/config.toml" --once >"$dir/second.log" 2>&1 || fail "vibed --once failed: $(cat "$dir/second.log")"
grep -q 'similarity vectors of 7 tracks computed with attributes-7 (no audio decoded)' "$dir/second.log" ||
  fail "vectors not computed from stored inputs: $(cat "$dir/second.log")"
[ "$(status_field "$dir" with_vectors)" = 7 ] || fail "status counts $(status_field "$dir" with_vectors) vectors"
vibectl status | grep -q '^vectors: *7 tracks' || fail "status: $(vibectl status)"

# 3. similar: the nearest tracks by the vectors' own distances, the seed left out.
export_json=$(vibectl export -f json)
expected=$(python3 - "$export_json" "$L/soft-a.flac" <<'PY'
import json, math, sys
names = ["acousticness", "danceability", "energy", "instrumentalness", "liveness", "speechiness", "valence"]
tracks = [t for t in json.loads(sys.argv[1]) if t["status"] == "ok"]
vec = {t["path"]: [max(-4, min(4, (t[n] - 0.5) / 0.25)) for n in names] for t in tracks}
seed = vec[sys.argv[2]]
others = sorted((math.dist(v, seed), p) for p, v in vec.items() if p != sys.argv[2])
print("\n".join(p for _, p in others[:3]))
PY
)
actual=$(vibectl similar "$L/soft-a.flac" -n 3 -f paths 2>/dev/null)
[ "$actual" = "$expected" ] || fail "similar: got [$actual], expected [$expected]"
vibectl similar "$L/soft-a.flac" -n 2 | grep -q '^   #  distance' || fail "similar's table: $(vibectl similar "$L/soft-a.flac" -n 2)"

# 4. radio: starts at the seed, no track twice, the count kept; -o writes an M3U.
radio=$(vibectl radio "$L/noise-a.flac" --limit 5 -f paths 2>/dev/null)
[ "$(head -1 <<<"$radio")" = "$L/noise-a.flac" ] || fail "radio does not start at the seed: $radio"
[ "$(wc -l <<<"$radio")" = 5 ] || fail "radio --limit 5: $radio"
[ "$(sort -u <<<"$radio" | wc -l)" = 5 ] || fail "radio repeats a track: $radio"
vibectl radio "$L/noise-a.flac" --limit 1m -o "$dir/radio.m3u" 2>"$dir/err" >"$dir/out" || fail "radio -o: $(cat "$dir/err")"
# The table too (issue 18): one row per track written.
[ "$(grep -c '^ *[0-9]\+  ' "$dir/out")" = "$(grep -vc '^#' "$dir/radio.m3u")" ] || fail "radio -o printed: $(cat "$dir/out")"
head -1 "$dir/radio.m3u" | grep -q '^#EXTM3U' || fail "radio.m3u: $(cat "$dir/radio.m3u")"
[ "$(grep -vc '^#' "$dir/radio.m3u")" -le 7 ] || fail "radio --limit 1m holds too much: $(cat "$dir/radio.m3u")"
grep -qx "$L/noise-a.flac" "$dir/radio.m3u" || fail "radio.m3u lacks the seed: $(cat "$dir/radio.m3u")"
# Several seeds come first; a query picks a seed; a filter nothing passes leaves the seed alone.
two=$(vibectl radio "$L/soft-a.flac" "$L/pulse-a.flac" --limit 3 -f paths 2>/dev/null)
[ "$(head -2 <<<"$two" | tr '\n' ' ')" = "$L/soft-a.flac $L/pulse-a.flac " ] || fail "two seeds: $two"
by_query=$(vibectl radio 'artist:Noisy' --limit 2 -f paths 2>/dev/null)
[ "$(head -1 <<<"$by_query")" = "$L/noise-a.flac" ] || fail "radio by query: $by_query"
alone=$(vibectl radio "$L/soft-a.flac" --where 'bpm > 1000' -f paths 2>"$dir/err")
[ "$alone" = "$L/soft-a.flac" ] || fail "radio with nothing passing --where: $alone"
grep -q "no other track matches --where" "$dir/err" || fail "no note for the empty filter: $(cat "$dir/err")"

# 5. journeys: from one track to another, and along a mood ramp.
trip=$(vibectl journey "$L/soft-a.flac" "$L/noise-b.flac" --limit 4 -f paths 2>/dev/null)
[ "$(head -1 <<<"$trip")" = "$L/soft-a.flac" ] && [ "$(tail -1 <<<"$trip")" = "$L/noise-b.flac" ] &&
  [ "$(wc -l <<<"$trip")" = 4 ] || fail "journey: $trip"
# soft -> energetic is a ramp in arousal alone (valence 0.55 -> 0.6), which is what is checked: the
# synthetic tones' valence says nothing and moves with every mood model.
ramp=$(vibectl journey --from soft --to energetic --limit 4 -f json 2>/dev/null)
python3 - "$ramp" <<'PY' || fail "mood ramp: $ramp"
import json, sys
rows = json.loads(sys.argv[1])
assert len(rows) == 4, len(rows)
assert len({r["path"] for r in rows}) == 4
assert rows[0]["mood_arousal"] <= rows[-1]["mood_arousal"], [r["mood_arousal"] for r in rows]
PY

# 6. Configured radios and journeys are playlists like the others: listed, printed, written.
cat >> "$dir/config.toml" <<TOML
[[playlist]]
name = "Noise Radio"
kind = "radio"
seed = "artist:Noisy"
limit = 3
[[playlist]]
name = "Wake Up"
kind = "journey"
from = "soft"
to = "energetic"
limit = 4
TOML
configured=$(vibectl playlist "noise radio" -f paths 2>/dev/null)
[ "$(head -1 <<<"$configured")" = "$L/noise-a.flac" ] && [ "$(wc -l <<<"$configured")" = 3 ] ||
  fail "configured radio: $configured"
"$vibed" -c "$dir/config.toml" --once >"$dir/third.log" 2>&1 || fail "vibed --once failed: $(cat "$dir/third.log")"
[ "$(grep -vc '^#' "$dir/playlists/Noise Radio.m3u")" = 3 ] || fail "Noise Radio.m3u: $(cat "$dir/playlists/Noise Radio.m3u")"
[ "$(grep -vc '^#' "$dir/playlists/Wake Up.m3u")" = 4 ] || fail "Wake Up.m3u: $(cat "$dir/playlists/Wake Up.m3u")"
sed -i 's|^to = "energetic"|to = "jolly"|' "$dir/config.toml"
"$vibed" -c "$dir/config.toml" --once >"$dir/fourth.log" 2>&1 && fail "vibed accepted an unknown mood"
grep -q "config.toml:[0-9]*:[0-9]*: playlist \"Wake Up\": to: unknown mood 'jolly'" "$dir/fourth.log" ||
  fail "unknown mood in the config: $(cat "$dir/fourth.log")"
sed -i 's|^to = "jolly"|to = "energetic"|' "$dir/config.toml"

# 7. Bad input: one line each, and a non-zero exit.
expect_error() {  # expect_error TEXT COMMAND...
  local text=$1
  shift
  "$@" >/dev/null 2>"$dir/err" && fail "accepted: $*"
  [ "$(wc -l <"$dir/err")" = 1 ] || fail "more than one line for $*: $(cat "$dir/err")"
  grep -q -- "$text" "$dir/err" || fail "$*: $(cat "$dir/err")"
}
expect_error "not in the index" vibectl similar "$dir/elsewhere.flac"
expect_error "its analysis failed" vibectl radio "$L/broken.mp3"
expect_error "unknown mood 'jolly' (known: happy, tense" vibectl journey --from calm --to jolly
expect_error "two different tracks" vibectl journey "$L/soft-a.flac" "$L/soft-a.flac"
expect_error "matches \`artist:Nobody\`" vibectl radio 'artist:Nobody'
expect_error "expected a track count" vibectl radio "$L/soft-a.flac" --limit soon

# 8. The bundled similarity model (the default) takes over at the next start, from stored inputs.
sed -i '/^similarity_model = /d' "$dir/config.toml"
"$vibed" -c "$dir/config.toml" --once >"$dir/fifth.log" 2>&1 || fail "vibed --once failed: $(cat "$dir/fifth.log")"
bundled=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["name"])' "$source_dir/model/similarity.json")
grep -q "similarity vectors of 7 tracks computed with $bundled (no audio decoded)" "$dir/fifth.log" ||
  fail "the bundled model did not recompute the vectors: $(cat "$dir/fifth.log")"
[ "$(vibectl similar "$L/pulse-a.flac" -n 2 -f paths 2>/dev/null | wc -l)" = 2 ] || fail "similar with the bundled model"

# 9. A seed vibed has not analysed yet: its row as the index keeps a changed file
# until its turn comes (db::Index::upsert_pending), and one line saying so.
python3 - "$dir/data/library.db" "$L/pulse-b.flac" <<'PY'
import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    assert db.execute("UPDATE tracks SET status = 'pending' WHERE path = ?", (sys.argv[2],)).rowcount == 1
PY
expect_error "pulse-b.flac: not analysed yet; try again once vibed has analysed it" vibectl radio "$L/pulse-b.flac"
expect_error "pulse-b.flac: not analysed yet" vibectl similar "$L/pulse-b.flac"
echo "radio test passed"
