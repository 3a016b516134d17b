#include "playlist/query/query_error.hpp"

#include <algorithm>

namespace vibed::playlist {
namespace {

bool is_utf8_continuation(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }

std::size_t count_characters(std::string_view text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char byte) { return !is_utf8_continuation(byte); }));
}

}  // namespace

std::string render_query_error(std::string_view query, const QueryError& error) {
    const std::size_t position = std::min(error.position(), query.size());
    const std::size_t newline_before = position == 0 ? std::string_view::npos : query.rfind('\n', position - 1);
    const std::size_t line_start = newline_before == std::string_view::npos ? 0 : newline_before + 1;
    std::size_t line_end = query.find('\n', position);
    if (line_end == std::string_view::npos) line_end = query.size();

    std::string line(query.substr(line_start, line_end - line_start));
    // Tabs would make the caret drift; show them as single spaces.
    std::replace(line.begin(), line.end(), '\t', ' ');
    std::replace(line.begin(), line.end(), '\r', ' ');

    const std::size_t column = count_characters(query.substr(line_start, position - line_start));
    return line + "\n" + std::string(column, ' ') + "^ " + error.what();
}

}  // namespace vibed::playlist
