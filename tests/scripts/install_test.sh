#!/usr/bin/env bash
# `cmake --install` into a fresh prefix gives binaries that work from there:
# vibectl --version; vibed --once on a one-track library loads the installed
# LibTorch module (P/lib/vibed) and the installed student model
# (P/share/vibed/models) with no environment telling it where; the installed
# binaries are stripped and do not need the checkout: with the source tree's
# model/ folder hidden (a private mount namespace), the installed vibectl
# analyses a clip; the installed unit (P/share/systemd/user, a user unit
# folder for P=~/.local) points at P's vibed and docs and passes
# `systemd-analyze verify`.
source "$(dirname "$0")/lib.sh"

start_test_dir
prefix="$dir/prefix"
cmake --install "$binary_dir" --prefix "$prefix" > "$dir/install.log" 2>&1 || fail "cmake --install: $(cat "$dir/install.log")"
for file in bin/vibed bin/vibectl lib/vibed/libvibed_torch_model.so share/vibed/models/student.pt \
            share/vibed/models/student.json share/vibed/models/moods.json share/vibed/models/similarity.json \
            share/systemd/user/vibed.service share/doc/vibed/README.md share/doc/vibed/service.md \
            share/man/man1/vibectl.1 share/man/man1/vibed.1 share/bash-completion/completions/vibectl; do
  test -f "$prefix/$file" || fail "not installed: $file"
done
"$prefix/bin/vibectl" --version | grep -qx "vibectl [0-9.]*" || fail "installed vibectl --version"
MANWIDTH=80 man -l "$prefix/share/man/man1/vibectl.1" | grep -q '^   play' || fail "the installed vibectl.1 does not render"
echo "ok: installed files"
for file in bin/vibed bin/vibectl lib/vibed/libvibed_torch_model.so; do
  ! readelf -S "$prefix/$file" | grep -q '\.debug_info' || fail "$file is not stripped ($(du -h "$prefix/$file" | cut -f1))"
done
echo "ok: stripped: $(du -ch "$prefix/bin/vibed" "$prefix/bin/vibectl" | tail -1 | cut -f1) for vibed and vibectl"

# The checkout's models hidden from the installed vibectl (and only from it:
# a private mount namespace, so tests running beside this one still see them).
if unshare -m --propagation private true 2>/dev/null; then
  unshare -m --propagation private env -u VIBED_MODEL_DIR -u VIBED_TORCH_MODEL_MODULE sh -c '
    mount -t tmpfs none "$1/model" && "$2/bin/vibectl" analyze -f csv "$3"' sh "$source_dir" "$prefix" "$fixture_dir/song.mp3" \
    > "$dir/analyze.out" 2> "$dir/analyze.err" || fail "installed vibectl analyze without the checkout's models: $(cat "$dir/analyze.err")"
  grep -q "song.mp3," "$dir/analyze.out" || fail "analyze: $(cat "$dir/analyze.out" "$dir/analyze.err")"
  echo "ok: the installed vibectl analyses a clip with the checkout's model/ hidden"
  if [ -f "$source_dir/model/generated/vibenet.pt" ]; then
    # A model that is not installed is not taken from the checkout either.
    if env -u VIBED_MODEL_DIR "$prefix/bin/vibectl" analyze --model vibenet "$fixture_dir/song.mp3" > "$dir/out" 2> "$dir/err"; then
      fail "the installed vibectl used the checkout's vibenet.pt"
    fi
    grep -q "model 'vibenet' not found.*looked for vibenet.pt in $prefix/share/vibed/models$" "$dir/err" ||
      fail "installed vibectl --model vibenet: $(cat "$dir/err")"
    echo "ok: the installed vibectl does not search the checkout"
  fi
else
  fail "unshare -m is not permitted here: cannot hide the checkout's models"
fi

# The installed vibed on a tiny library, with the default model name.
mkdir -p "$dir/library"
cp "$fixture_dir/song.mp3" "$dir/library/one.mp3"
write_config "$dir"
sed -i '/^model = /d' "$dir/config.toml"
unset VIBED_MODEL_DIR VIBED_TORCH_MODEL_MODULE VIBED_TEST_MODEL
LD_DEBUG=files "$prefix/bin/vibed" --config "$dir/config.toml" --once > "$dir/vibed.log" 2>&1 ||
  fail "installed vibed --once: $(grep -v '^ *[0-9]*: ' "$dir/vibed.log")"
grep -q "model student ($prefix/share/vibed/models/student.pt" "$dir/vibed.log" ||
  fail "the installed model was not used: $(grep -F 'model student' "$dir/vibed.log")"
grep -q "file=$prefix/lib/vibed/libvibed_torch_model.so .*dynamically loaded by" "$dir/vibed.log" ||
  fail "the installed module was not loaded: $(grep -F libvibed_torch_model "$dir/vibed.log" | head -3)"
[ "$("$prefix/bin/vibectl" -c "$dir/config.toml" status --json | python3 -c "import json,sys; print(json.load(sys.stdin)['tracks']['analysed'])")" = 1 ] ||
  fail "the track was not analysed by the installed vibed"
echo "ok: the installed vibed finds its module and model"

# The folders of this config are outside the unit's ReadWritePaths: doctor
# prints the drop-in, --write-drop-in writes it where systemd reads it.
mkdir -p "$dir/home" "$dir/run"
sed -i "s|^socket = .*|socket = \"$dir/run/vibed.sock\"|" "$dir/config.toml"
env HOME="$dir/home" XDG_CONFIG_HOME="$dir/home/.config" XDG_RUNTIME_DIR="$dir/run" \
  "$prefix/bin/vibectl" -c "$dir/config.toml" doctor --write-drop-in > "$dir/doctor.out" 2>&1 || fail "doctor: $(cat "$dir/doctor.out")"
drop_in="$dir/home/.config/systemd/user/vibed.service.d/vibed-paths.conf"
test -f "$drop_in" || fail "no drop-in written: $(cat "$dir/doctor.out")"
grep -qxF "ReadWritePaths=\"-$dir/data\" \"-$dir/playlists\"" "$drop_in" || fail "drop-in: $(cat "$drop_in")"
grep -qxF "[Service]" "$drop_in" || fail "drop-in without [Service]: $(cat "$drop_in")"
echo "ok: doctor writes the drop-in for the configured folders"

unit="$prefix/share/systemd/user/vibed.service"
grep -qx "ExecStart=$prefix/bin/vibed" "$unit" || fail "ExecStart: $(grep ExecStart= "$unit")"
for doc in $(sed -n 's/^Documentation=//p' "$unit"); do
  test -f "${doc#file://}" || fail "Documentation= names $doc, which is not installed"
done
if ! command -v systemd-analyze >/dev/null; then
  echo "skipped: systemd-analyze verify (systemd-analyze is not installed)"
  exit 0
fi
output=$(systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify: $output"
! grep -i "vibed.service" <<<"$output" || fail "systemd-analyze verify complained: $output"
echo "ok: the installed unit verifies"
