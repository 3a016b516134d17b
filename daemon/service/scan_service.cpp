#include "daemon/service/scan_service.hpp"

#include <spdlog/spdlog.h>

#include "core/util/counted.hpp"
#include "core/util/free_memory.hpp"

namespace vibed::daemon {

namespace fs = std::filesystem;

void ScanService::Request::merge(Request&& newer) {
    for (auto& folder : newer.folders) {
        // A whole-library scan covers every narrower request already waiting.
        if (!folder) folders.clear();
        folders.push_back(std::move(folder));
    }
}

ScanService::ScanService(IndexWriter& writer, WorkQueue& queue, ProblemBoard& problems, ScanListener& listener)
    : writer_(writer), queue_(queue), problems_(problems), listener_(listener) {}

ScanService::~ScanService() { stop(); }

void ScanService::set_settings(ScanSettings settings) {
    std::lock_guard lock(settings_mutex_);
    settings_ = std::move(settings);
}

void ScanService::start() {
    if (worker_) return;
    abort_ = false;
    worker_ = std::make_unique<CoalescingWorker<Request>>(
        [this](Request& request, std::stop_token stop) { return serve(request, stop); });
}

void ScanService::stop() {
    if (!worker_) return;
    abort_ = true;
    queue_.close();  // unblocks a scan waiting for room in the queue
    worker_.reset();  // joins
}

void ScanService::request(std::optional<fs::path> folder) {
    if (!worker_) return;
    Request request;
    request.folders.push_back(std::move(folder));
    worker_->post(std::move(request));
}

bool ScanService::idle() const { return !worker_ || worker_->idle(); }

bool ScanService::scanning() const { return scanning_; }

std::uint64_t ScanService::scans_completed() const { return completed_; }

bool ScanService::serve(Request& request, std::stop_token stop) {
    for (const auto& folder : request.folders) {
        if (stop.stop_requested()) break;
        ScanSettings settings;
        {
            std::lock_guard lock(settings_mutex_);
            settings = settings_;
        }
        scanning_ = true;
        scan(folder, settings);
        scanning_ = false;
        ++completed_;
    }
    util::release_free_memory();  // the listing and the index's state of every file, freed
    return true;  // a failed scan is reported; the next event or rescan tries again
}

void ScanService::scan(const std::optional<fs::path>& folder, const ScanSettings& settings) {
    const auto folders = folder ? std::vector<fs::path>{*folder} : settings.roots;
    const auto started = std::chrono::steady_clock::now();
    try {
        const SyncReport report = sync_folders(folders, settings, writer_, queue_, abort_);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        spdlog::info("scanned {}: {}, {} to analyse, {} removed ({:.1f}s)", folder ? folder->string() : "library",
                     util::counted(report.files_seen, "audio file"), report.queued, report.removed, seconds);
        problems_.clear("scan");
        listener_.on_scan_finished(folder, report);
    } catch (const db::SqliteError& e) {
        if (!abort_) {
            problems_.report("scan", "scan failed: " + IndexWriter::explain(e, writer_.database_file()));
        }
    } catch (const std::exception& e) {
        if (!abort_) problems_.report("scan", std::string("scan failed: ") + e.what());
    }
}

}  // namespace vibed::daemon
