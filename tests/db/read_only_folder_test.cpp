// A database folder on a read-only file system. Tests run as root, which
// ignores permission bits, so the folder is made read-only with a read-only
// bind mount; where mounting is not permitted the tests are skipped.

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "db/index.hpp"
#include "tests/db/test_support.hpp"

namespace vibed::db {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

// Shows `source` read-only at `target` for the lifetime of the object.
class ReadOnlyBindMount {
public:
    ReadOnlyBindMount(const fs::path& source, const fs::path& target) : target_(target) {
        fs::create_directories(target);
        if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
            error_ = std::strerror(errno);
            return;
        }
        mounted_ = true;
        if (mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
            error_ = std::strerror(errno);
        }
    }
    ~ReadOnlyBindMount() {
        if (mounted_) umount2(target_.c_str(), MNT_DETACH);
    }
    ReadOnlyBindMount(const ReadOnlyBindMount&) = delete;
    ReadOnlyBindMount& operator=(const ReadOnlyBindMount&) = delete;

    // Empty when the read-only mount is in place, else why not.
    [[nodiscard]] const std::string& error() const { return error_; }

private:
    fs::path target_;
    bool mounted_ = false;
    std::string error_;
};

std::string open_error(const fs::path& file) {
    try {
        Index::open(file);
    } catch (const DatabaseError& error) {
        return error.what();
    }
    return "";
}

TEST(ReadOnlyFolderTest, CreatingAnIndexThereIsAClearError) {
    ScratchDir dir;
    fs::create_directories(dir / "data");
    ReadOnlyBindMount mount(dir / "data", dir / "read-only");
    if (!mount.error().empty()) GTEST_SKIP() << "cannot make a read-only bind mount: " << mount.error();

    const fs::path file = dir / "read-only/library.db";
    const std::string error = open_error(file);
    EXPECT_EQ(error, file.string() + ": cannot open the database: unable to open database file");
    EXPECT_FALSE(fs::exists(file));
}

TEST(ReadOnlyFolderTest, WritingAnExistingIndexThereIsAClearError) {
    ScratchDir dir;
    {
        Index index = Index::open(dir / "data/library.db");
        index.upsert_pending("/music/a.mp3", 1, 2);
    }  // closing the last connection checkpoints and removes the WAL files
    ReadOnlyBindMount mount(dir / "data", dir / "read-only");
    if (!mount.error().empty()) GTEST_SKIP() << "cannot make a read-only bind mount: " << mount.error();

    const fs::path file = dir / "read-only/library.db";
    EXPECT_EQ(open_error(file),
              file.string() + ": cannot open the database for writing: attempt to write a readonly database");
}

// vibectl only reads the index: it must work from a read-only copy or mount
// (a backup, a snapshot), where SQLite cannot create the WAL's -shm file.
void expect_readable_from_read_only_mount(bool with_empty_wal) {
    ScratchDir dir;
    std::int64_t model_id = 0;
    {
        Index index = Index::open(dir / "data/library.db");
        model_id = index.ensure_model("student", "abc");
        index.upsert_pending("/music/a.mp3", 1, 2);
        index.upsert_pending("/music/b.mp3", 3, 4);
    }  // closing the last connection checkpoints and removes the WAL files
    // A read-only reader (vibectl) leaves an empty -wal behind.
    if (with_empty_wal) std::ofstream(dir / "data/library.db-wal").flush();
    ReadOnlyBindMount mount(dir / "data", dir / "read-only");
    if (!mount.error().empty()) GTEST_SKIP() << "cannot make a read-only bind mount: " << mount.error();

    Index index = Index::open_readonly(dir / "read-only/library.db");
    EXPECT_EQ(index.all_file_states(model_id).size(), 2u);
    EXPECT_EQ(index.find_model("abc"), model_id);
    EXPECT_FALSE(fs::exists(dir / "read-only/library.db-shm"));
}

TEST(ReadOnlyFolderTest, ReadingAnExistingIndexThereWorks) { expect_readable_from_read_only_mount(false); }

TEST(ReadOnlyFolderTest, ReadingAnIndexWithAnEmptyWalThereWorks) { expect_readable_from_read_only_mount(true); }

}  // namespace
}  // namespace vibed::db
