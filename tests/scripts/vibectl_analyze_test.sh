#!/usr/bin/env bash
# `vibectl analyze` on every supported format and on bad input: same
# attributes as the WAV original within a stated tolerance, one error line per
# bad file naming it, the other files still analysed, exit codes that say so.
source "$(dirname "$0")/lib.sh"
model=$(test_model)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$fixture_dir"

# 1. Formats. Lossless decodes must give the WAV's numbers; lossy codecs move
# the spectrum a little: 0.02 is twice the worst we measured (AAC 128k, 0.014)
# and below anything a playlist rule notices. docs/formats.md lists them.
"$vibectl" analyze --model "$model" -f csv -q song.wav song.flac song.aiff song-alac.m4a song.mp3 song.ogg \
  song.opus song-aac.m4a > "$work/formats.csv" || fail "analyze of the format fixtures failed"
python3 - "$work/formats.csv" <<'PY' || fail "formats disagree with the WAV original"
import csv, sys
rows = {r["path"]: r for r in csv.DictReader(open(sys.argv[1]))}
assert len(rows) == 8, rows.keys()
reference = rows["song.wav"]
tolerance = {"song.flac": 1e-4, "song.aiff": 1e-4, "song-alac.m4a": 1e-4,
             "song.mp3": 0.02, "song.ogg": 0.02, "song.opus": 0.02, "song-aac.m4a": 0.02}
bad = False
for name, limit in tolerance.items():
    worst = max(abs(float(rows[name][k]) - float(reference[k])) for k in reference if k != "path")
    print(f"{name:16s} max |diff| {worst:.4f} (limit {limit})")
    bad |= worst > limit
sys.exit(1 if bad else 0)
PY

# 2. Bad input: each failure is one line naming the file; the rest is analysed.
set +e
"$vibectl" analyze --model "$model" -f csv empty.mp3 text.mp3 truncated.mp3 song.wav "$work/missing.mp3" \
  > "$work/out.csv" 2> "$work/err.txt"
status=$?
set -e
[ $status = 1 ] || fail "exit code $status with bad files, expected 1"
grep -q "^error: empty.mp3: " "$work/err.txt" || fail "no error line for empty.mp3: $(cat "$work/err.txt")"
grep -q "^error: text.mp3: " "$work/err.txt" || fail "no error line for text.mp3"
grep -q "missing.mp3: no such file" "$work/err.txt" || fail "no error line for the missing file"
[ "$(wc -l < "$work/err.txt")" = 3 ] || fail "expected exactly 3 error lines: $(cat "$work/err.txt")"
grep -q "^song.wav," "$work/out.csv" || fail "good file not analysed next to bad ones"
grep -q "^truncated.mp3," "$work/out.csv" || fail "truncated MP3 should give the attributes of what is there"

# 3. --strict stops at the first error and prints no table.
set +e
"$vibectl" analyze --model "$model" --strict -j 1 -f csv empty.mp3 song.wav > "$work/strict.csv" 2>/dev/null
status=$?
set -e
[ $status = 1 ] || fail "--strict exit code $status"
[ ! -s "$work/strict.csv" ] || fail "--strict printed results"

# 4. Folders: -r recurses, only audio files are taken, --glob filters; JSON has VibeNet's columns.
mkdir -p "$work/lib/sub"
cp song.flac "$work/lib/a.flac"; cp song.ogg "$work/lib/sub/b.ogg"; echo cover > "$work/lib/cover.jpg"
[ "$("$vibectl" analyze --model "$model" -q -f csv "$work/lib" | wc -l)" = 2 ] || fail "folder without -r"
[ "$("$vibectl" analyze --model "$model" -q -f csv -r "$work/lib" | wc -l)" = 3 ] || fail "folder with -r"
[ "$("$vibectl" analyze --model "$model" -q -f csv -r --glob '*.ogg' "$work/lib" | wc -l)" = 2 ] || fail "--glob"
# A folder of sub-folders without -r: a hint and exit 1, not an empty table.
mkdir -p "$work/albums/one"; cp song.ogg "$work/albums/one/c.ogg"
if "$vibectl" analyze --model "$model" "$work/albums" > "$work/albums.out" 2> "$work/albums.err"; then
  fail "analyze of a folder of sub-folders without -r exited 0"
fi
grep -q "use -r" "$work/albums.err" || fail "no -r hint: $(cat "$work/albums.err")"
"$vibectl" analyze --model "$model" -q -f json -r "$work/lib" | python3 -c "
import json, sys
rows = json.load(sys.stdin)
assert [list(r) for r in rows][0] == ['path', 'acousticness', 'danceability', 'energy', 'instrumentalness',
                                      'liveness', 'speechiness', 'valence'], rows
assert all(0 <= r[k] <= 1 for r in rows for k in r if k != 'path')
" || fail "JSON output"

# 5. A FIFO or a link to a device named on the command line is refused at
# once (TagLib used to open it by path and wait forever for a writer).
mkfifo "$work/pipe.mp3"
ln -s /dev/zero "$work/zero.mp3"
set +e
timeout 60 "$vibectl" analyze --model "$model" -f csv "$work/pipe.mp3" "$work/zero.mp3" song.wav > "$work/special.csv" 2> "$work/special.err"
status=$?
set -e
[ $status != 124 ] || fail "analyze hung on a FIFO or a device"
grep -q "pipe.mp3: is a FIFO" "$work/special.err" || fail "FIFO: $(cat "$work/special.err")"
grep -q "zero.mp3: is a device" "$work/special.err" || fail "device link: $(cat "$work/special.err")"
grep -q "^song.wav," "$work/special.csv" || fail "the good file after the special ones was not analysed"

# 6. --embedding: the student's 512 numbers, the same in CSV and JSON and with
# the same attributes as without the flag; a model without analyse() (the
# forward-only fixture, like the VibeNet import) gives none; no table.
student="$source_dir/model/student.pt"
"$vibectl" analyze --model "$student" -q -f csv song.wav > "$work/plain.csv"
"$vibectl" analyze --model "$student" -q -f csv --embedding song.wav song.flac > "$work/embedding.csv"
"$vibectl" analyze --model "$student" -q -f json --embedding song.wav > "$work/embedding.json"
"$vibectl" analyze --model "$source_dir/tests/golden/forward_only_model.pt" -q -f json --embedding song.wav \
  > "$work/none.json"
python3 - "$work" <<'PY' || fail "--embedding output is wrong"
import csv, json, math, sys
work = sys.argv[1]
plain = next(csv.DictReader(open(f"{work}/plain.csv")))
rows = {r["path"]: r for r in csv.DictReader(open(f"{work}/embedding.csv"))}
header = list(next(iter(rows.values())).keys())
columns = [f"embedding_{i}" for i in range(512)]
assert header[-513] == "valence" and header[-512:] == columns, "CSV columns"
assert all(rows["song.wav"][k] == plain[k] for k in plain), "attributes changed with --embedding"
wav = [float(rows["song.wav"][c]) for c in columns]
flac = [float(rows["song.flac"][c]) for c in columns]
assert all(math.isfinite(v) for v in wav) and max(wav) > 0, "embedding values"
assert max(abs(a - b) for a, b in zip(wav, flac)) < 1e-3, "lossless copies differ"
assert json.load(open(f"{work}/embedding.json"))[0]["embedding"] == wav, "JSON and CSV differ"
assert json.load(open(f"{work}/none.json"))[0]["embedding"] is None, "a forward-only model gave an embedding"
PY
set +e
"$vibectl" analyze --model "$student" -q --embedding song.wav > /dev/null 2> "$work/table.err"
[ $? != 0 ] && grep -q -- "--embedding needs -f csv" "$work/table.err" || fail "--embedding in a table should be refused"
set -e

# 7. Usage errors are not analysis failures.
set +e
"$vibectl" analyze -f yaml song.wav > /dev/null 2>&1
[ $? = 2 ] || fail "bad option should exit 2"
set -e
echo "vibectl analyze test: ok"
