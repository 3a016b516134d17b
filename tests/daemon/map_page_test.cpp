// The map page's data island: hostile tags stay data (no `</script>`, no raw
// `<`, `&`, control characters; invalid UTF-8 replaced), and the columns hold
// what the page decodes.
#include "daemon/map/map_page.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

namespace vibed::daemon {
namespace {

LibraryMap hostile_map() {
    LibraryMap map;
    map.inputs = {"energy", "mode"};
    MapTrack track;
    track.id = 7;
    track.artist = "O'Brien & <Sons> \"quoted\"";
    track.title = std::string("</script><script>alert(1)</script>\x01 bad \xff utf-8 \xe2\x80\xa8 日本語");
    track.moods.valence = 1.0f;
    track.moods.arousal = 0.0f;
    track.moods.probabilities = {0.7f, 0.1f, 0.1f, 0.1f};
    track.reasons = {{1, true, 0.8}, {0, false, -0.25}};
    map.tracks.push_back(track);
    map.playlists.push_back({"</script> & \"x\"", {0}});
    return map;
}

std::string island_of(const std::string& page) {
    const std::string open = "<script type=\"application/json\" id=\"map-data\">";
    const auto start = page.find(open);
    const auto end = page.find("</script>", start);
    return page.substr(start + open.size(), end - start - open.size());
}

TEST(MapPage, HostileTagsStayData) {
    const std::string page = render_map_page(hostile_map());
    const std::string island = island_of(page);
    EXPECT_EQ(island.find('<'), std::string::npos);
    EXPECT_EQ(island.find('&'), std::string::npos);
    EXPECT_EQ(island.find('\x01'), std::string::npos);
    // Exactly the template's two script elements end in the page.
    const std::regex closing("</script", std::regex::icase);
    EXPECT_EQ(std::distance(std::sregex_iterator(page.begin(), page.end(), closing), std::sregex_iterator()), 2);
    const auto data = nlohmann::json::parse(island);
    EXPECT_EQ(data["tracks"]["artists"][0], "O'Brien & <Sons> \"quoted\"");
    const std::string title = data["tracks"]["titles"][0];
    EXPECT_TRUE(title.starts_with("</script><script>alert(1)</script>\x01 bad \xef\xbf\xbd utf-8")) << title;
    EXPECT_EQ(data["playlists"][0]["name"], "</script> & \"x\"");
}

TEST(MapPage, ColumnsHoldTheQuantisedValues) {
    const auto data = nlohmann::json::parse(island_of(render_map_page(hostile_map())));
    EXPECT_EQ(data["count"], 1);
    EXPECT_EQ(data["tracks"]["valence"], "//8=");   // 65535, little-endian
    EXPECT_EQ(data["tracks"]["arousal"], "AAA=");   // 0
    EXPECT_EQ(data["tracks"]["moods"], "shoaGg==");  // 178 26 26 26
    // mode high +0.80 (16 steps of 0.05), energy low -0.25 (-5), no third reason.
    EXPECT_EQ(data["tracks"]["reasons"], "gRAA+/8A");
    EXPECT_EQ(data["playlists"][0]["tracks"], "AAAAAA==");
}

}  // namespace
}  // namespace vibed::daemon
