// vibectl's tables count terminal columns, not bytes: names with é or 日本
// line up with ASCII ones.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "daemon/cli/attribute_table.hpp"
#include "daemon/cli/display_width.hpp"

namespace vibed::daemon {
namespace {

TEST(DisplayWidth, CountsColumnsNotBytes) {
    EXPECT_EQ(display_width("abc"), 3u);
    EXPECT_EQ(display_width("\xc3\xa9"), 1u);           // é, precomposed: 2 bytes
    EXPECT_EQ(display_width("e\xcc\x81"), 1u);          // e + combining acute: 3 bytes
    EXPECT_EQ(display_width("\xe6\x97\xa5\xe6\x9c\xac"), 4u);  // 日本: 6 bytes, 2 wide characters
    EXPECT_EQ(display_width("\xff" "a"), 2u);            // an invalid byte counts one column
    EXPECT_EQ(display_width("\xe6\x97"), 2u);            // a cut-off sequence: its bytes, one each
}

TEST(DisplayWidth, PadsToColumns) {
    EXPECT_EQ(pad_right("\xe6\x97\xa5\xe6\x9c\xac", 6), "\xe6\x97\xa5\xe6\x9c\xac  ");
    EXPECT_EQ(pad_left("\xc3\xa9", 3), "  \xc3\xa9");
    EXPECT_EQ(pad_right("toolong", 3), "toolong");
}

// Where the first attribute column ends (values are right-aligned under
// their name), in terminal columns, on each line.
std::vector<std::size_t> first_value_columns(const std::string& table) {
    std::vector<std::size_t> columns;
    std::istringstream lines(table);
    for (std::string line; std::getline(lines, line);) {
        // The paths hold no spaces: path, spaces, the first value, a space.
        const auto value = line.find_first_not_of(' ', line.find(' '));
        columns.push_back(display_width(line.substr(0, line.find(' ', value))));
    }
    return columns;
}

TEST(AttributeTable, AlignsNonAsciiPaths) {
    std::vector<AttributeRow> rows(3);
    rows[0].path = "/music/abc.mp3";
    rows[1].path = "/music/\xc3\xa9t\xc3\xa9.mp3";                // été
    rows[2].path = "/music/\xe6\x97\xa5\xe6\x9c\xac.mp3";         // 日本
    std::ostringstream out;
    write_attribute_rows(out, OutputFormat::table, rows);
    const auto columns = first_value_columns(out.str());
    ASSERT_EQ(columns.size(), 4u) << out.str();  // header + 3 rows
    for (std::size_t i = 1; i < columns.size(); ++i) EXPECT_EQ(columns[i], columns[0]) << out.str();
}

}  // namespace
}  // namespace vibed::daemon
