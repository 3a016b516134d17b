#!/usr/bin/env bash
# bliss (the analysis library behind blissify) on the corpus clips, as a
# reference for vibed: its feature vectors for the similarity table (issue 10)
# and its CPU time for the speed comparison (issue 13).
#
#   tests/bench/bliss_features.sh [--rounds R] [--cpu C] [--with-vibectl] OUT.csv
#
# Builds tests/bench/bliss/ (`cargo build --release --locked`, niced), runs
# `bliss-features` on every *.mp3 of the corpus (VIBED_CORPUS_DIR overrides
# ../shared/corpus/music-clips) pinned to one CPU, writes its CSV to OUT.csv
# and prints the CPU time (user + system) and the seconds of audio.
# With --with-vibectl, each of R rounds (default 1, 3 with --with-vibectl)
# also runs `vibectl analyze -j 1 -q -f csv` (the student) on the same clips,
# the order rotated from round to round, and prints both medians.
#
# A benchmark only: needs Rust (rustup's cargo), never built by CMake, never
# run by ctest or CI.
source "$(dirname "$0")/bench_lib.sh"

rounds=""
pinned_cpu=0
with_vibectl=false
out_csv=""
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=${2:?--rounds needs a count}; shift 2 ;;
    --cpu) pinned_cpu=${2:?--cpu needs a CPU number}; shift 2 ;;
    --with-vibectl) with_vibectl=true; shift ;;
    -*) die "unknown option $1" ;;
    *) [ -z "$out_csv" ] || die "one output CSV only"; out_csv=$1; shift ;;
  esac
done
[ -n "$out_csv" ] || die "usage: $(basename "$0") [--rounds R] [--cpu C] [--with-vibectl] OUT.csv"
[ -n "$rounds" ] || { $with_vibectl && rounds=3 || rounds=1; }

mapfile -t clips < <(find "$corpus_dir" -maxdepth 1 -name '*.mp3' 2>/dev/null | sort)
[ ${#clips[@]} -gt 0 ] || die "$corpus_dir: no MP3 clips (set VIBED_CORPUS_DIR)"

export PATH="$PATH:$HOME/.cargo/bin"
command -v cargo >/dev/null || die "cargo not found (install Rust with rustup)"
bliss_dir="$bench_dir/bliss"
(cd "$bliss_dir" && nice -n 10 cargo build --release --locked --quiet) || die "cannot build $bliss_dir"
bliss="$bliss_dir/target/release/bliss-features"

if $with_vibectl; then
  build_targets vibectl
  model=$(default_model)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run_bliss: one timed run; its CSV goes to OUT.csv, its summary line (the
# last of stderr) to $work/bliss.log, failures are shown.
run_bliss() {
  /usr/bin/time -o "$work/stats" -f '%e %U %S %M' \
    taskset -c "$pinned_cpu" "$bliss" "${clips[@]}" >"$out_csv" 2>"$work/bliss.log" ||
    { cat "$work/bliss.log" >&2; die "bliss-features failed"; }
  head -n -1 "$work/bliss.log" >&2
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$work/stats" >>"$work/bliss.times"
}
run_vibectl() {
  timed "$work/vibectl.times" taskset -c "$pinned_cpu" \
    "$vibectl" analyze -j 1 -q -f csv --model "$model" "${clips[@]}"
}

print_machine
echo "bliss:   bliss-audio $(sed -n '/name = "bliss-audio"/{n;s/version = //;s/"//g;p}' "$bliss_dir/Cargo.lock") (Symphonia decoders), one song at a time"
echo "files:   ${#clips[@]} from $(realpath "$corpus_dir"), $rounds round(s), pinned to CPU $pinned_cpu"
$with_vibectl && echo "vibectl: $vibectl, model $(model_label "$model")"
variants=(bliss)
$with_vibectl && variants+=(vibectl)
count=${#variants[@]}
for round in $(seq 0 $((rounds - 1))); do
  for step in $(seq 0 $((count - 1))); do
    name=${variants[$(((round + step) % count))]}
    "run_$name"
    echo "  $name: $(tail -n 1 "$work/$name.times" | awk '{print $1 " s wall, " $2 " s cpu"}')" >&2
  done
  echo "round $((round + 1))/$rounds done, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done

tail -n 1 "$work/bliss.log"
audio_seconds=$(tail -n 1 "$work/bliss.log" | sed -n 's/.*, \([0-9.]*\) s of audio$/\1/p')
echo "audio:   $audio_seconds s"
echo "load:    $(uptime | sed 's/.*load average: //') (1, 5, 15 min, at the end)"
printf "%-28s %10s %10s %12s %12s\n" "command (medians)" "wall s" "cpu s" "x rt (cpu)" "peak RSS MB"
declare -A label=([bliss]="bliss-features" [vibectl]="vibectl analyze -j 1")
for name in "${variants[@]}"; do
  cpu=$(median_column "$work/$name.times" 2)
  printf "%-28s %10s %10s %12s %12s\n" "${label[$name]}" "$(median_column "$work/$name.times" 1)" "$cpu" \
    "$(ratio "$audio_seconds" "$cpu")" "$(awk '{print int($1 / 1024)}' <<<"$(median_column "$work/$name.times" 3)")"
done
echo "CSV:     $out_csv ($(($(wc -l <"$out_csv") - 1)) rows)"
