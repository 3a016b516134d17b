#pragma once
// The one error type of the query language: a message plus the byte offset in
// the query text it is about, so front ends can point at it.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vibed::playlist {

class QueryError : public std::runtime_error {
public:
    QueryError(std::size_t position, const std::string& message)
        : std::runtime_error(message), position_(position) {}

    // Byte offset into the query text (may equal its length: "at the end").
    [[nodiscard]] std::size_t position() const { return position_; }

private:
    std::size_t position_;
};

// Renders the offending line of `query` with a caret under the error column
// and the message below it, e.g.
//     energy > 0.7 and )
//                      ^ expected a field name such as energy, got ')'
// Columns count UTF-8 characters, so the caret lines up under non-ASCII text.
std::string render_query_error(std::string_view query, const QueryError& error);

}  // namespace vibed::playlist
