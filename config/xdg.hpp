#pragma once
// XDG base and user directories, and the path expansion config values use.

#include <filesystem>
#include <optional>
#include <string_view>

namespace vibed::config {

// The directory an XDG variable names ("XDG_DATA_HOME", "XDG_MUSIC_DIR", ...)
// or "HOME": the environment's value when set to an absolute path, else the
// standard default (~/.local/share, the music folder from user-dirs.dirs or
// ~/Music, /run/user/UID for the runtime dir...). nullopt for any other name.
std::optional<std::filesystem::path> xdg_directory(std::string_view variable);

// Expands a leading "~" or "~/" and every $NAME or ${NAME} that
// xdg_directory() knows. Throws std::invalid_argument naming an unknown
// variable or a malformed reference.
std::filesystem::path expand_path(std::string_view text);

}  // namespace vibed::config
