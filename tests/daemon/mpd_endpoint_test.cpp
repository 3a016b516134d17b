// Where vibed looks for MPD ($MPD_HOST, $MPD_PORT, $MPD_TIMEOUT, then the
// [mpd] keys, then MPD's sockets and localhost:6600) and how vibed's paths
// become MPD's URIs and back. Pure functions, plus real symbolic links.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <map>

#include "daemon/mpd/mpd_endpoint.hpp"
#include "daemon/mpd/path_map.hpp"
#include "tests/daemon/daemon_test_util.hpp"

namespace vibed::daemon::mpd {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::ScratchDir;

Environment environment(std::map<std::string, std::string> variables) {
    return [variables = std::move(variables)](const char* name) -> std::optional<std::string> {
        const auto it = variables.find(name);
        if (it == variables.end() || it->second.empty()) return std::nullopt;
        return it->second;
    };
}

SocketExists sockets(std::vector<std::string> existing) {
    return [existing = std::move(existing)](const std::string& path) {
        return std::find(existing.begin(), existing.end(), path) != existing.end();
    };
}

const SocketExists kNoSockets = sockets({});

// --------------------------------------------------------------- MPD_HOST

TEST(MpdHost, PlainHostHasNoPassword) {
    const auto parsed = parse_mpd_host("music.local");
    EXPECT_EQ(parsed.host, "music.local");
    EXPECT_EQ(parsed.password, "");
}

TEST(MpdHost, PasswordAtHost) {
    const auto parsed = parse_mpd_host("s3cret@music.local");
    EXPECT_EQ(parsed.host, "music.local");
    EXPECT_EQ(parsed.password, "s3cret");
}

TEST(MpdHost, SocketPathKeepsAnAtSign) {
    // A socket path never carries a password in front: the '@' is part of the path.
    const auto parsed = parse_mpd_host("/home/ana/mpd@home/socket");
    EXPECT_EQ(parsed.host, "/home/ana/mpd@home/socket");
    EXPECT_EQ(parsed.password, "");
}

TEST(MpdHost, PasswordBeforeASocketPath) {
    const auto parsed = parse_mpd_host("s3cret@/run/mpd/socket");
    EXPECT_EQ(parsed.host, "/run/mpd/socket");
    EXPECT_EQ(parsed.password, "s3cret");
}

TEST(MpdHost, AbstractSocketAndPasswordBeforeIt) {
    EXPECT_EQ(parse_mpd_host("@mpd").host, "@mpd");
    EXPECT_EQ(parse_mpd_host("@mpd").password, "");
    const auto parsed = parse_mpd_host("s3cret@@mpd");
    EXPECT_EQ(parsed.host, "@mpd");
    EXPECT_EQ(parsed.password, "s3cret");
}

TEST(MpdHost, Ipv6AddressIsAHost) {
    EXPECT_EQ(parse_mpd_host("::1").host, "::1");
    EXPECT_EQ(parse_mpd_host("pw@::1").host, "::1");
}

// --------------------------------------------------------------- endpoints

TEST(MpdEndpoints, EnvironmentComesFirst) {
    config::MpdClientConfig config;
    config.host = "configured.local";
    config.port = 6601;
    config.timeout = 3s;
    const auto endpoints = resolve_endpoints(
        config, environment({{"MPD_HOST", "pw@env.local"}, {"MPD_PORT", "7700"}, {"MPD_TIMEOUT", "20"}}), kNoSockets);
    ASSERT_EQ(endpoints.size(), 1u);
    EXPECT_EQ(endpoints[0].host, "env.local");
    EXPECT_EQ(endpoints[0].password, "pw");
    EXPECT_EQ(endpoints[0].port, 7700u);
    EXPECT_EQ(endpoints[0].timeout, 20s);
    EXPECT_EQ(endpoints[0].describe(), "env.local:7700");
}

TEST(MpdEndpoints, ConfigurationWhenTheEnvironmentIsSilent) {
    config::MpdClientConfig config;
    config.host = "/srv/mpd.sock";
    config.password = "from-config";
    config.timeout = 3s;
    const auto endpoints = resolve_endpoints(config, environment({}), kNoSockets);
    ASSERT_EQ(endpoints.size(), 1u);
    EXPECT_EQ(endpoints[0].host, "/srv/mpd.sock");
    EXPECT_TRUE(endpoints[0].is_socket());
    EXPECT_EQ(endpoints[0].password, "from-config");
    EXPECT_EQ(endpoints[0].timeout, 3s);
    EXPECT_EQ(endpoints[0].describe(), "/srv/mpd.sock");
}

TEST(MpdEndpoints, EachFieldOnItsOwn) {
    config::MpdClientConfig config;
    config.port = 6601;
    config.password = "from-config";
    const auto endpoints = resolve_endpoints(config, environment({{"MPD_HOST", "env.local"}}), kNoSockets);
    ASSERT_EQ(endpoints.size(), 1u);
    EXPECT_EQ(endpoints[0].host, "env.local");
    EXPECT_EQ(endpoints[0].port, 6601u);
    EXPECT_EQ(endpoints[0].password, "from-config");
    EXPECT_EQ(endpoints[0].timeout, 10s) << "the timeout is always set";
}

TEST(MpdEndpoints, DefaultsAreTheSocketsThatExistThenLocalhost) {
    const auto endpoints = resolve_endpoints(config::MpdClientConfig{}, environment({{"XDG_RUNTIME_DIR", "/run/user/1000"}}),
                                             sockets({"/run/user/1000/mpd/socket", "/run/mpd/socket"}));
    ASSERT_EQ(endpoints.size(), 3u);
    EXPECT_EQ(endpoints[0].host, "/run/user/1000/mpd/socket");
    EXPECT_EQ(endpoints[1].host, "/run/mpd/socket");
    EXPECT_EQ(endpoints[2].describe(), "localhost:6600");

    const auto only_tcp = resolve_endpoints(config::MpdClientConfig{}, environment({}), kNoSockets);
    ASSERT_EQ(only_tcp.size(), 1u);
    EXPECT_EQ(only_tcp[0].describe(), "localhost:6600");
}

TEST(MpdEndpoints, MalformedVariablesAreNamed) {
    for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
             {"MPD_PORT", "66oo"}, {"MPD_PORT", "70000"}, {"MPD_TIMEOUT", "-1"}, {"MPD_TIMEOUT", "0"}}) {
        try {
            resolve_endpoints(config::MpdClientConfig{}, environment({{name, value}}), kNoSockets);
            ADD_FAILURE() << name << "=" << value << " was accepted";
        } catch (const std::invalid_argument& error) {
            EXPECT_NE(std::string(error.what()).find("$" + name + " is \"" + value + "\""), std::string::npos) << error.what();
        }
    }
}

TEST(MpdEndpoints, ASocketFileIsToldFromOtherFiles) {
    ScratchDir dir;
    test::write_file(dir / "not-a-socket");
    EXPECT_FALSE(socket_file_exists((dir / "not-a-socket").string()));
    EXPECT_FALSE(socket_file_exists((dir / "absent").string()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = (dir / "mpd.sock").string();
    ASSERT_LT(path.size(), sizeof address.sun_path);
    std::copy(path.begin(), path.end(), address.sun_path);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_TRUE(socket_file_exists(path));
    ::close(fd);
}

// --------------------------------------------------------------- paths

TEST(MpdPathMap, TracksInsideBecomeRelativeUris) {
    const PathMap map("/home/ana/Music/");
    EXPECT_EQ(map.to_uri("/home/ana/Music/Björk/Jóga.mp3"), "Björk/Jóga.mp3");
    EXPECT_EQ(map.to_uri("/home/ana/Music/./a/../Plain/song #1.flac"), "Plain/song #1.flac");
    EXPECT_EQ(map.music_directory(), fs::path("/home/ana/Music"));
}

TEST(MpdPathMap, TracksOutsideDoNotMap) {
    const PathMap map("/home/ana/Music");
    EXPECT_FALSE(map.to_uri("/home/ana/Musical/song.mp3"));
    EXPECT_FALSE(map.to_uri("/home/ana/Music/../Downloads/song.mp3"));
    EXPECT_FALSE(map.to_uri("/home/ana/Music"));
}

TEST(MpdPathMap, UrisBecomeFilesInsideOnly) {
    const PathMap map("/home/ana/Music");
    EXPECT_EQ(map.to_path("Björk/Jóga.mp3"), fs::path("/home/ana/Music/Björk/Jóga.mp3"));
    EXPECT_FALSE(map.to_path("http://radio.example/stream.mp3"));
    EXPECT_FALSE(map.to_path("../secret.mp3"));
    EXPECT_FALSE(map.to_path("/etc/passwd"));
    EXPECT_FALSE(map.to_path(""));
}

TEST(MpdPathMap, FollowsSymbolicLinksOnEitherSide) {
    ScratchDir dir;
    test::write_file(dir / "srv/music/Album/track.flac");
    fs::create_directory_symlink(dir / "srv/music", dir / "Music");
    // The library reaches MPD's folder through a link...
    const PathMap map(dir / "srv/music");
    EXPECT_EQ(map.to_uri(dir / "Music/Album/track.flac"), "Album/track.flac");
    // ...or MPD's music_directory is the link.
    const PathMap linked(dir / "Music");
    EXPECT_EQ(linked.to_uri(dir / "srv/music/Album/track.flac"), "Album/track.flac");
    EXPECT_FALSE(linked.to_uri(dir / "srv/other.flac"));
}

}  // namespace
}  // namespace vibed::daemon::mpd
