// The live-data thread of sync: fetches the feeds and value sources the current playlist names
// (conditional GET, at most one fetch per refresh_s, backoff on failure, kMaxLiveBytes), keeps
// the last good data in STATE/live.json, and asks for the playlist to be handed over again
// (filled with the new data) when the data changed. No network on the frame loop: the player
// only ever gets a finished playlist.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "sync/feeds.h"
#include "sync/sync.h"

namespace signage::sync {

class LiveWorker {
 public:
  // Reads STATE/live.json. `changed` is called on the worker thread when data changed; it hands
  // over filled_current() (under the caller's switch lock). `status_changed` writes status.json.
  LiveWorker(const SyncOptions& options, std::string user_agent, std::function<void()> changed,
             std::function<void()> status_changed);
  ~LiveWorker();  // stops and joins
  LiveWorker(const LiveWorker&) = delete;
  LiveWorker& operator=(const LiveWorker&) = delete;

  void start();
  // Stops the thread (aborting a transfer) and joins it; status() still answers.
  void stop();

  // `playlist` (as the store loaded it) becomes the one whose sources are fetched; returns it
  // filled with the data kept so far.
  std::shared_ptr<const content::Playlist> fill(std::shared_ptr<const content::Playlist> playlist);
  // The current playlist filled with the newest data.
  std::shared_ptr<const content::Playlist> filled_current();

  // status.json's "feeds": per source its URL (redacted), kind, last good fetch, last error and
  // its items or value.
  nlohmann::json status();

 private:
  void main();
  bool fetch(const std::string& key, const std::string& url, const content::FeedSource* feed,
             const content::ValueSource* source);
  void save();

  SyncOptions options_;
  std::string user_agent_;
  std::function<void()> changed_, status_changed_;
  std::mutex mutex_;  // guards the members below
  std::condition_variable wake_;
  bool stop_ = false;
  std::atomic<bool> stop_transfer_{false};
  std::shared_ptr<const content::Playlist> base_;
  LiveData data_;
  std::string logged_ticker_;  // the ticker last written to the log
  std::thread thread_;
};

}  // namespace signage::sync
