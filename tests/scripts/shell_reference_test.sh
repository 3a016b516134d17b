#!/usr/bin/env bash
# vibectl's bash completion and manual pages (issue 18, item 7): the
# completion the build generates from vibectl's own command table loads in
# bash and completes commands and each command's options (after -c FILE
# too); it lists exactly the commands `vibectl --help` lists; `man -l`
# renders vibectl.1 (generated) and vibed.1 (written) without a warning, and
# the pages name every command and vibed's every option.
source "$(dirname "$0")/lib.sh"

start_test_dir
completion="$binary_dir/vibectl.bash"
[ -f "$completion" ] || fail "missing $completion (the vibectl_reference target)"
"$vibectl" completion bash | cmp -s - "$completion" || fail "the built completion differs from vibectl completion bash"

# complete_words WORD...: what the completion offers for the command line WORD... (the last one being typed).
complete_words() {
  bash --norc --noprofile -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _vibectl
    printf "%s\n" "${COMPREPLY[@]}" | sort' sh "$completion" "$@"
}
bash --norc --noprofile -c 'source "$1" && complete -p vibectl' sh "$completion" | grep -qF -- "-F _vibectl vibectl" ||
  fail "the completion does not register for vibectl"
[ "$(complete_words vibectl sta)" = status ] || fail "vibectl sta<TAB>: $(complete_words vibectl sta)"
[ "$(complete_words vibectl pla)" = "play
playlist
playlists" ] || fail "vibectl pla<TAB>: $(complete_words vibectl pla)"
[ "$(complete_words vibectl -c my.toml rel)" = reload ] || fail "vibectl -c FILE rel<TAB>: $(complete_words vibectl -c my.toml rel)"
[ "$(complete_words vibectl radio seed.flac --cu)" = --current ] || fail "radio --cu<TAB>: $(complete_words vibectl radio seed.flac --cu)"
[ "$(complete_words vibectl play --app)" = --append ] || fail "play --app<TAB>: $(complete_words vibectl play --app)"
[ -z "$(complete_words vibectl status --cur)" ] || fail "status offers radio's --current: $(complete_words vibectl status --cur)"
echo "ok: the completion loads in bash and completes commands and options"

# The same commands as vibectl --help lists (CLI11: "Subcommands:" then one per line).
listed=$("$vibectl" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF { print $1 }' | sort)
offered=$(complete_words vibectl "")
[ "$listed" = "$offered" ] || fail "commands in vibectl --help:
$listed
offered by the completion:
$offered"
echo "ok: the completion offers the $(grep -c . <<<"$listed") commands vibectl --help lists"

# The manual pages render without warnings and say what they must.
"$vibectl" manual-page > "$dir/vibectl.1"
cmp -s "$dir/vibectl.1" "$binary_dir/vibectl.1" || fail "the built vibectl.1 differs from vibectl manual-page"
for page in "$dir/vibectl.1" "$source_dir/docs/man/vibed.1"; do
  MANWIDTH=80 man --warnings -l "$page" > "$dir/page.txt" 2> "$dir/page.err" || fail "man -l $page failed: $(cat "$dir/page.err")"
  [ ! -s "$dir/page.err" ] || fail "man -l $(basename "$page") warns: $(cat "$dir/page.err")"
  grep -q '^NAME' "$dir/page.txt" || fail "$(basename "$page") renders no NAME section: $(head "$dir/page.txt")"
  cp "$dir/page.txt" "$dir/$(basename "$page").txt"
done
while read -r command; do
  grep -qE "^   $command( |$)" "$dir/vibectl.1.txt" || fail "vibectl.1 has no section for '$command'"
done <<<"$listed"
grep -qF -- "--current" "$dir/vibectl.1.txt" || fail "vibectl.1 does not list --current"
for option in $("$vibed" --help | grep -oE -- '--[a-z-]+' | sort -u); do
  grep -qF -- "$option" "$dir/vibed.1.txt" || fail "vibed.1 does not describe vibed's $option"
done
echo "ok: man -l renders vibectl.1 and vibed.1; they name every command and option"
echo PASS
