#pragma once
// Counts in log lines and messages as English reads them: "1 file",
// "3 files", "1 indexed track" (issue 18: "1 audio files").

#include <cstddef>
#include <string>
#include <string_view>

namespace vibed::util {

// `singular` for one, else `singular` + "s"; the number goes first.
inline std::string counted(std::size_t count, std::string_view singular) {
    return std::to_string(count) + " " + std::string(singular) + (count == 1 ? "" : "s");
}

}  // namespace vibed::util
