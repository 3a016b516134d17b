#!/usr/bin/env bash
# End-to-end speed of `vibectl analyze -j 1` (teacher, and student when it
# exists) against VibeNet's own CLI (`vibenet -j 1`) on the same files, side by
# side in one run: every round runs each command once, in rotated order, so
# the machine's changing load falls on all of them alike. Prints medians of
# wall and CPU time (user + system, whole process) and their ratios.
# Every command is pinned to one CPU (taskset): VibeNet's onnxruntime ignores
# its -j 1 for its own thread pool, so only pinning makes it a one-core run.
#
#   tests/bench/analyze_vs_vibenet.sh [--files N] [--whole-tracks] [--no-vibenet] [--rounds R]
#                                     [--cpu C] [--teacher PT] [--student PT]
#
# Files: the first N clips of the corpus (default 20, 30 s each), or copies of
# the fixture song when the corpus is absent. With --whole-tracks, N songs of
# 4 minutes instead (each 8 consecutive clips joined, as in pipeline_bench.sh).
# VibeNet's CLI comes from scripts/vibenet-venv.sh; --no-vibenet leaves it out.
source "$(dirname "$0")/bench_lib.sh"

file_count=20
whole_tracks=false
with_vibenet=true
rounds=3
pinned_cpu=0
teacher=$teacher_model
student=$student_model
while [ $# -gt 0 ]; do
  case $1 in
    --files) file_count=${2:?}; shift 2 ;;
    --whole-tracks) whole_tracks=true; shift ;;
    --no-vibenet) with_vibenet=false; shift ;;
    --rounds) rounds=${2:?}; shift 2 ;;
    --cpu) pinned_cpu=${2:?}; shift 2 ;;
    --teacher) teacher=${2:?}; shift 2 ;;
    --student) student=${2:?}; shift 2 ;;
    *) die "unknown argument $1" ;;
  esac
done
[ -f "$teacher" ] || die "$teacher: no teacher model (run model/import_vibenet.py)"

if $with_vibenet; then
  vibenet_cli=${VIBENET_CLI:-$HOME/.cache/vibed/vibenet-venv/bin/vibenet}
  [ -x "$vibenet_cli" ] || vibenet_cli="$("$source_dir/scripts/vibenet-venv.sh" | tail -n 1)/bin/vibenet"
  [ -x "$vibenet_cli" ] || die "VibeNet's CLI not found (run scripts/vibenet-venv.sh)"
fi

build_targets vibectl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if $whole_tracks; then
  files=()
  for i in $(seq 0 $((file_count - 1))); do
    make_long_track "$work/song-$i.mp3" $((8 * i))
    files+=("$work/song-$i.mp3")
  done
else
  mapfile -t files < <(corpus_clips "$file_count")
fi
if [ ${#files[@]} -lt "$file_count" ]; then
  song="$(fixture_dir)/song.mp3"
  files=()
  for i in $(seq "$file_count"); do cp "$song" "$work/song-$i.mp3"; files+=("$work/song-$i.mp3"); done
fi
audio_seconds=$(for f in "${files[@]}"; do
  ffprobe -v error -show_entries format=duration -of csv=p=0 "$f"; done | awk '{s += $1} END {printf "%.1f", s}')

# Each variant is a name; variant_command NAME sets `variant_cmd` to what it runs.
variants=("vibectl-teacher")
if $with_vibenet; then variants+=("vibenet-cli"); fi
# The student on its own front end (its sidecar's) and on the excerpts front end.
[ -f "$student" ] && variants=("vibectl-student" "vibectl-student-excerpts" "${variants[@]}")
variant_command() {
  case $1 in
    vibectl-teacher) variant_cmd=("$vibectl" analyze -j 1 -q -f csv --model "$teacher" "${files[@]}") ;;
    vibectl-student) variant_cmd=("$vibectl" analyze -j 1 -q -f csv --model "$student" "${files[@]}") ;;
    vibectl-student-excerpts) variant_cmd=("$vibectl" analyze -j 1 -q -f csv --model "$student" --front-end excerpts "${files[@]}") ;;
    vibenet-cli) variant_cmd=("$vibenet_cli" -q -f csv -j 1 "${files[@]}") ;;
  esac
}

print_machine
echo "files:   ${#files[@]} ($audio_seconds s of audio), $rounds rounds, order rotated each round, pinned to CPU $pinned_cpu"
echo "teacher: $teacher"
[ -f "$student" ] && echo "student: $student" || echo "student: none ($student does not exist)"
echo

count=${#variants[@]}
for round in $(seq 0 $((rounds - 1))); do
  for step in $(seq 0 $((count - 1))); do
    name=${variants[$(((round + step) % count))]}
    variant_command "$name"
    timed "$work/$name.times" taskset -c "$pinned_cpu" "${variant_cmd[@]}"
  done
  echo "round $((round + 1))/$rounds done, load $(cut -d' ' -f1 /proc/loadavg)" >&2
done

declare -A wall_median cpu_median
printf "%-20s %10s %10s %12s\n" "command" "wall s" "cpu s" "x rt (cpu)"
for name in "${variants[@]}"; do
  wall_median[$name]=$(median_column "$work/$name.times" 1)
  cpu_median[$name]=$(median_column "$work/$name.times" 2)
  printf "%-20s %10s %10s %12s\n" "$name" "${wall_median[$name]}" "${cpu_median[$name]}" "$(ratio "$audio_seconds" "${cpu_median[$name]}")"
done
echo
echo "speed-up, A vs B = B's median time / A's (above 1: A is faster); wall / cpu:"
show_ratio() {
  printf "  %-36s %6s / %6s\n" "$1 vs $2" "$(ratio "${wall_median[$2]}" "${wall_median[$1]}")" "$(ratio "${cpu_median[$2]}" "${cpu_median[$1]}")"
}
if $with_vibenet; then show_ratio vibectl-teacher vibenet-cli; fi
if [ -f "$student" ]; then
  show_ratio vibectl-student vibectl-teacher
  show_ratio vibectl-student-excerpts vibectl-student
  if $with_vibenet; then show_ratio vibectl-student vibenet-cli; show_ratio vibectl-student-excerpts vibenet-cli; fi
fi
