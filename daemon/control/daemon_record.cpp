#include "daemon/control/daemon_record.hpp"

#include <nlohmann/json.hpp>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "config/xdg.hpp"
#include "core/util/atomic_file.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

std::optional<core::FileDigest> parse_model(const nlohmann::json& json) {
    if (!json.is_object()) return std::nullopt;
    return core::FileDigest{json.at("file").get<std::string>(), json.at("size").get<std::int64_t>(),
                            json.at("mtime_ns").get<std::int64_t>(), json.at("sha256").get<std::string>()};
}

std::optional<DaemonRecord> parse_record(const std::string& text) {
    const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || !json.contains("socket") || !json.contains("pid")) return std::nullopt;
    try {
        return DaemonRecord{json.at("socket").get<std::string>(), json.value("config", std::string()),
                            json.value("config_text", std::string()), json.value("database", std::string()),
                            json.at("pid").get<pid_t>(), parse_model(json.value("model", nlohmann::json()))};
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

// kill(pid, 0) delivers nothing; EPERM means the pid runs as someone else,
// which a record in our own runtime directory cannot honestly name.
bool process_runs(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0); }

}  // namespace

fs::path daemon_record_path() { return config::xdg_directory("XDG_RUNTIME_DIR").value() / "vibed.daemon"; }

std::optional<DaemonRecord> read_daemon_record() {
    try {
        const auto text = util::read_file_if_exists(daemon_record_path());
        if (!text) return std::nullopt;
        auto record = parse_record(*text);
        if (!record || !process_runs(record->pid)) return std::nullopt;
        return record;
    } catch (const std::exception&) {
        return std::nullopt;  // no home, unreadable file: as if there were no record
    }
}

PublishedDaemonRecord::PublishedDaemonRecord(DaemonRecord record) : file_(daemon_record_path()) {
    nlohmann::json json{{"socket", record.socket.string()},
                              {"config", record.config.string()},
                              {"config_text", record.config_text},
                              {"database", record.database.string()},
                              {"pid", record.pid}};
    if (record.model) {
        json["model"] = {{"file", record.model->file.string()},
                         {"size", record.model->size},
                         {"mtime_ns", record.model->mtime_ns},
                         {"sha256", record.model->sha256}};
    }
    std::error_code ignored;
    fs::create_directories(file_.parent_path(), ignored);  // the fallback under XDG_STATE_HOME may not exist
    // 0600: it names the user's config and database, like the socket it points to.
    util::write_file_atomically(file_, json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", 0600);
}

PublishedDaemonRecord::~PublishedDaemonRecord() {
    try {
        const auto text = util::read_file_if_exists(file_);
        const auto record = text ? parse_record(*text) : std::nullopt;
        if (record && record->pid == ::getpid()) fs::remove(file_);
    } catch (const std::exception&) {
        // a record we cannot remove is stale once we are gone, and ignored then
    }
}

}  // namespace vibed::daemon
