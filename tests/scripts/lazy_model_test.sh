#!/usr/bin/env bash
# Nothing pays a model's price it does not need: a daemon whose start-up scan
# finds nothing to analyse never loads LibTorch or the network (the module
# libvibed_torch_model.so is not even mapped, and `vibectl status` says "not
# loaded"); the first file that needs analysing loads it.
source "$(dirname "$0")/lib.sh"

start_test_dir
mkdir -p "$dir/library"
cp "$fixture_dir/song.mp3" "$dir/library/one.mp3"
write_config "$dir"

# The first index: one track analysed, then the daemon exits.
"$vibed" --once -c "$dir/config.toml" > "$dir/first.log" 2>&1 || fail "first index: $(tail -5 "$dir/first.log")"
[ "$(status_field "$dir" analysed)" = 1 ] || fail "the first index did not analyse the track"

torch_module_mapped() { grep -q libvibed_torch_model "/proc/$daemon_pid/maps"; }
model_loaded() {
  "$vibectl" -c "$dir/config.toml" status --json |
    python3 -c "import json,sys; print(json.load(sys.stdin)['daemon']['model_loaded'])"
}

# 1. A restart on the unchanged library: the scan queues nothing, the model stays unloaded.
"$vibed" -c "$dir/config.toml" > "$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 60 "the control socket" test -S "$dir/vibed.sock"
wait_until 60 "the start-up scan" grep -q "scanned library: 1 audio file, 0 to analyse" "$dir/vibed.log"
[ "$(model_loaded)" = False ] || fail "the model was loaded although nothing needed analysing"
! torch_module_mapped || fail "LibTorch's module was loaded although nothing needed analysing"
"$vibectl" -c "$dir/config.toml" status | grep -q "not loaded: nothing analysed since start" ||
  fail "vibectl status does not say the model is not loaded"
echo "ok: a rescan with nothing to analyse leaves the model unloaded"

# 2. A new file: analysed, and only now is the model loaded.
cp "$fixture_dir/song.ogg" "$dir/library/two.ogg"
analysed_is() { [ "$(status_field "$dir" analysed)" = "$1" ]; }
wait_until 180 "the new track analysed" analysed_is 2
[ "$(model_loaded)" = True ] || fail "status still says the model is not loaded after an analysis"
torch_module_mapped || fail "a track was analysed but LibTorch's module is not mapped"
[ "$(status_field "$dir" failed)" = 0 ] || fail "a track failed: $(grep -i error "$dir/vibed.log" | head -3)"
echo PASS
