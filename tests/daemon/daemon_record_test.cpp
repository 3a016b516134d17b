// The daemon's record in the runtime folder: what vibectl reads to find the
// running daemon, now with the digest of its model.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "daemon/control/daemon_record.hpp"
#include "tests/support/scratch_dir.hpp"

namespace vibed::daemon {
namespace {

// $XDG_RUNTIME_DIR pointed at a scratch folder for the test, restored after.
class RuntimeDirectory {
public:
    RuntimeDirectory() {
        if (const char* old = ::getenv("XDG_RUNTIME_DIR")) previous_ = old;
        ::setenv("XDG_RUNTIME_DIR", scratch_.path().c_str(), 1);
    }
    ~RuntimeDirectory() {
        if (previous_) {
            ::setenv("XDG_RUNTIME_DIR", previous_->c_str(), 1);
        } else {
            ::unsetenv("XDG_RUNTIME_DIR");
        }
    }

private:
    vibed::test::ScratchDir scratch_;
    std::optional<std::string> previous_;
};

TEST(DaemonRecord, CarriesTheModelDigestAndGoesWithTheDaemon) {
    RuntimeDirectory runtime;
    const core::FileDigest model{"/models/mine.pt", 5'000'000, 1'700'000'000'123'456'789, "abc123"};
    {
        const PublishedDaemonRecord published(DaemonRecord{"/run/vibed.sock", "/etc/vibed.toml", "[analysis]\n",
                                                           "/var/index.db", ::getpid(), model});
        const auto record = read_daemon_record();
        ASSERT_TRUE(record);
        EXPECT_EQ(record->socket, "/run/vibed.sock");
        EXPECT_EQ(record->pid, ::getpid());
        EXPECT_EQ(record->config_text, "[analysis]\n");
        ASSERT_TRUE(record->model);
        EXPECT_EQ(record->model->file, model.file);
        EXPECT_EQ(record->model->size, model.size);
        EXPECT_EQ(record->model->mtime_ns, model.mtime_ns);
        EXPECT_EQ(record->model->sha256, model.sha256);
    }
    EXPECT_FALSE(read_daemon_record());
}

TEST(DaemonRecord, ARecordWithoutAModelStillFindsTheDaemon) {
    RuntimeDirectory runtime;
    const PublishedDaemonRecord published(DaemonRecord{"/run/vibed.sock", {}, {}, "/var/index.db", ::getpid(), {}});
    const auto record = read_daemon_record();
    ASSERT_TRUE(record);
    EXPECT_FALSE(record->model);
}

}  // namespace
}  // namespace vibed::daemon
