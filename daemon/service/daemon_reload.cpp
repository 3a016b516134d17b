// Reloading the configuration (SIGHUP, `vibectl reload`) in two halves, so
// the event loop never waits for a model to load: the reload worker reads
// and checks the file and, when the analysis changes, loads the new model
// (LibTorch, seconds) and registers it; then the loop swaps everything in
// one step. A bad file or a model that does not load leave the running
// configuration as it was, and the problem stays listed until a reload works.
#include "daemon/service/daemon.hpp"

#include <spdlog/spdlog.h>

#include "daemon/app/playlist_builder.hpp"
#include "daemon/service/guarded.hpp"
#include "daemon/service/systemd_notify.hpp"

namespace vibed::daemon {
namespace {

// The problem a failed reload leaves listed until one succeeds.
constexpr const char* kConfigProblemArea = "configuration";

// Settings that only a restart changes keep their running values.
void keep_restart_only_settings(config::Config& fresh, const config::Config& running) {
    if (fresh.database.path != running.database.path) {
        spdlog::warn("the database path changed; that takes effect after a restart");
        fresh.database.path = running.database.path;
    }
    if (fresh.daemon.socket != running.daemon.socket) {
        spdlog::warn("the control socket path changed; that takes effect after a restart");
        fresh.daemon.socket = running.daemon.socket;
    }
}

}  // namespace

void Daemon::ReloadRequest::merge(ReloadRequest&& newer) {
    running = std::move(newer.running);
    for (auto& callback : newer.done) done.push_back(std::move(callback));
}

void Daemon::reload_config(ReloadDone done) {
    systemd::notify_reloading();
    if (!reloads_) {
        reloads_ = std::make_unique<CoalescingWorker<ReloadRequest>>(
            [this](ReloadRequest& request, std::stop_token) { return prepare_reload(request); });
    }
    ReloadRequest request{shared_config_, {}};
    if (done) request.done.push_back(std::move(done));
    reloads_->post(std::move(request));
}

// On the reload worker's thread: reads only its request and options_, and
// writes through the writer, which locks.
bool Daemon::prepare_reload(ReloadRequest& request) {
    auto done = std::move(request.done);
    try {
        PreparedReload prepared{load_checked_config(options_.config_path), std::nullopt, 0};
        keep_restart_only_settings(prepared.config, *request.running);
        if (pipeline_differs(prepared.config, *request.running)) prepare_model(prepared);
        boost::asio::post(io_, guarded("reload", [this, prepared = std::move(prepared), done]() mutable {
            apply_reload(std::move(prepared), done);
        }));
    } catch (const std::exception& e) {
        boost::asio::post(io_, guarded("reload", [this, failure = std::string(e.what()), done] {
            finish_reload(failure, done);
        }));
    }
    return true;
}

void Daemon::prepare_model(PreparedReload& prepared) {
    LoadedModel loaded = load_model(prepared.config, /*load_network=*/true);
    const std::string sha256 = loaded.analyzer->model().sha256();
    prepared.model_id = writer_->register_model(loaded.selection.name, sha256);
    prepared.model = std::move(loaded);
}

// On the loop: the swap.
void Daemon::apply_reload(PreparedReload prepared, const std::vector<ReloadDone>& done) {
    if (stopping_) return;
    try {
        // Prepared against the configuration running then; another reload
        // may have been applied since.
        const bool new_pipeline = pipeline_differs(prepared.config, config_);
        if (new_pipeline && !prepared.model) prepare_model(prepared);
        if (new_pipeline) {
            spdlog::info("library, model or analysis settings changed: restarting the analysis pipeline");
            stop_pipeline();
            config_ = std::move(prepared.config);
            model_selection_ = prepared.model->selection;
            analyzer_ = prepared.model->analyzer;
            model_id_ = prepared.model_id;
            writer_->set_model(model_id_);
            set_up_derived_models();
            publish_config();
            start_pipeline();
            if (presence_) presence_->watch(config_.library.paths, config_.library.exclude);
            request_scan(std::nullopt);
        } else {
            config_ = std::move(prepared.config);
            publish_config();
        }
        settle_.set_settle_time(config_.daemon.settle);
        spdlog::info("configuration reloaded from {}", config_.source.empty() ? "built-in defaults" : config_.source.string());
        problems_.clear(kConfigProblemArea);
        if (control_) publish_record();  // vibectl describes the configuration that runs from there
        schedule_playlists();
    } catch (const std::exception& e) {
        return finish_reload(std::string(e.what()), done);
    }
    finish_reload(std::nullopt, done);
}

void Daemon::finish_reload(const std::optional<std::string>& failure, const std::vector<ReloadDone>& done) {
    if (failure) {
        spdlog::error("configuration not reloaded (the running one stays): {}", *failure);
        // Listed until a reload succeeds, so `vibectl status` and `doctor`
        // show it, not only the log: its first line (the caret is in the log).
        problems_.report(kConfigProblemArea, "not reloaded, the running one stays: " +
                                                 failure->substr(0, failure->find('\n')) +
                                                 "; fix the file, then `vibectl reload`");
    }
    systemd::notify_ready();
    for (const auto& callback : done) callback(failure);
}

}  // namespace vibed::daemon
