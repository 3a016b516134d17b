#pragma once
// Builds long queries for the size-limit tests of the parser and the compiler.

#include <cstddef>
#include <string>

namespace vibed::playlist::test {

// `terms` comparisons on energy joined by `joiner` (" and ", " or ", ...).
inline std::string chain(std::size_t terms, const std::string& joiner) {
    std::string query;
    for (std::size_t i = 0; i < terms; ++i) {
        if (i > 0) query += joiner;
        query += "energy > 0." + std::to_string(i % 9 + 1);
    }
    return query;
}

}  // namespace vibed::playlist::test
