#include "sync/live_worker.h"

#include <libxml/parser.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iostream>

#include "files/files.h"
#include "sync/http_source.h"
#include "sync/iso_time.h"

namespace signage::sync {
namespace {

using Json = nlohmann::json;

std::int64_t now_s() {
  return std::int64_t(std::time(nullptr));
}

void log(const std::string& message) {
  std::cerr << "signage-player: live: " << message << "\n";
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : " | ") + item;
  return out;
}

// One source the playlist names.
struct Wanted {
  std::string key;
  const content::FeedSource* feed = nullptr;
  const content::ValueSource* source = nullptr;
  const std::string& url() const { return feed ? feed->url : source->url; }
  double refresh_s() const { return feed ? feed->refresh_s : source->refresh_s; }
};

std::vector<Wanted> wanted(const content::Playlist& playlist) {
  std::vector<Wanted> out;
  auto add = [&](Wanted w) {
    bool seen =
        std::any_of(out.begin(), out.end(), [&](const Wanted& o) { return o.key == w.key; });
    if (!seen) out.push_back(std::move(w));
  };
  if (playlist.ticker && playlist.ticker->feed) {
    add({live_key(*playlist.ticker->feed), &*playlist.ticker->feed, nullptr});
  }
  for (const content::Item& item : playlist.items) {
    for (const content::StatisticValue& s : item.statistics) {
      if (s.source) add({live_key(*s.source), nullptr, &*s.source});
    }
  }
  return out;
}

std::string kind_of(const Wanted& w) {
  return w.feed ? "feed" : !w.source->json_pointer.empty() ? "json" : "csv";
}

}  // namespace

LiveWorker::LiveWorker(const SyncOptions& options, std::string user_agent,
                       std::function<void()> changed, std::function<void()> status_changed)
    : options_(options),
      user_agent_(std::move(user_agent)),
      changed_(std::move(changed)),
      status_changed_(std::move(status_changed)) {
  xmlInitParser();  // once, before the threads that parse (sync's open runs before them)
  data_ = read_live_json(
      files::read_file(options_.state_dir / "live.json", 8 * kMaxLiveBytes).value_or(""));
}

LiveWorker::~LiveWorker() {
  stop();
}

void LiveWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  stop_transfer_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LiveWorker::start() {
  thread_ = std::thread([this] { main(); });
}

std::shared_ptr<const content::Playlist> LiveWorker::fill(
    std::shared_ptr<const content::Playlist> playlist) {
  std::shared_ptr<const content::Playlist> filled;
  {
    std::lock_guard lock(mutex_);
    filled = fill_live(playlist, data_, now_s());
    base_ = std::move(playlist);
  }
  if (filled && filled->ticker && filled->ticker->feed) {
    std::string shown = joined(filled->ticker->items);
    log("the ticker shows: " + shown);
    std::lock_guard lock(mutex_);
    logged_ticker_ = std::move(shown);
  }
  wake_.notify_all();
  return filled;
}

std::shared_ptr<const content::Playlist> LiveWorker::filled_current() {
  std::lock_guard lock(mutex_);
  auto filled = fill_live(base_, data_, now_s());
  if (filled && filled->ticker && filled->ticker->feed) {
    std::string shown = joined(filled->ticker->items);
    if (shown != logged_ticker_) log("the ticker now shows: " + shown);
    logged_ticker_ = std::move(shown);
  }
  return filled;
}

Json LiveWorker::status() {
  std::lock_guard lock(mutex_);
  Json feeds = Json::array();
  for (const Wanted& w : base_ ? wanted(*base_) : std::vector<Wanted>()) {
    auto it = data_.find(w.key);
    if (it == data_.end()) continue;
    const LiveEntry& e = it->second;
    Json entry = {{"url", redacted(e.url)},
                  {"kind", kind_of(w)},
                  {"last_ok", e.ok_s ? Json(iso_time(e.ok_s)) : Json()},
                  {"last_try", e.tried_s ? Json(iso_time(e.tried_s)) : Json()},
                  {"last_error", e.error.empty() ? Json() : Json(e.error)}};
    if (w.feed) {
      const std::size_t n = std::min(e.items.size(), w.feed->max_items);
      entry["items"] =
          std::vector<std::string>(e.items.begin(), e.items.begin() + std::ptrdiff_t(n));
    } else {
      entry["value"] = e.value.empty() ? Json() : Json(e.value);
    }
    feeds.push_back(std::move(entry));
  }
  return feeds;
}

void LiveWorker::save() {
  std::string text;
  {
    std::lock_guard lock(mutex_);
    // Only the current playlist's sources: live.json does not grow with every revision's.
    const auto sources = base_ ? wanted(*base_) : std::vector<Wanted>();
    for (auto it = data_.begin(); it != data_.end();) {
      const bool used = std::any_of(sources.begin(), sources.end(),
                                    [&](const Wanted& w) { return w.key == it->first; });
      it = used ? std::next(it) : data_.erase(it);
    }
    text = live_json(data_);
  }
  std::string why;
  // The validators and URLs may carry tokens: the player's user only.
  if (!files::replace_file(options_.state_dir / "live.json", text, 0600, &why)) {
    log("live.json is not updated: " + why);
  }
}

// One fetch; whether the data shown changed (the items, the value or its "as of" time).
bool LiveWorker::fetch(const std::string& key, const std::string& url,
                       const content::FeedSource* feed, const content::ValueSource* source) {
  LiveEntry before;
  {
    std::lock_guard lock(mutex_);
    before = data_[key];
  }
  // Validators only for data kept: after a change of pointer or column the body is needed.
  const bool have_data = before.url == url && before.ok_s != 0;
  GetResult got =
      get_conditional(options_.http, user_agent_, url, have_data ? before.etag : "",
                      have_data ? before.last_modified : "", kMaxLiveBytes, stop_transfer_);
  if (stop_transfer_) return false;
  LiveEntry after = before;
  after.url = url;
  after.tried_s = now_s();
  std::string error;
  if (got.result == GetResult::Result::not_modified) {
    after.ok_s = after.tried_s;
  } else if (got.result == GetResult::Result::ok) {
    bool parsed = false;
    if (feed) {
      if (auto items = parse_feed(got.body, kMaxFeedItems, &error)) {
        after.items = std::move(*items);
        parsed = true;
      }
    } else if (!source->json_pointer.empty()) {
      if (auto value = json_value(got.body, source->json_pointer, &error)) {
        after.value = *value, parsed = true;
      }
    } else if (auto value = csv_value(got.body, *source, &error)) {
      after.value = *value, parsed = true;
    }
    if (parsed) {
      after.ok_s = after.tried_s;
      after.etag = got.etag;
      after.last_modified = got.last_modified;
    } else {
      error = redacted(url) + ": " + error;
    }
  } else {
    error = got.error;
    if (got.too_large) {
      error += " (refused after " + std::to_string(got.bytes_read) + " bytes read)";
    }
  }
  after.error = error;
  after.failures = error.empty() ? 0 : before.failures + 1;
  if (!error.empty()) {
    log(error + "; the last good data stays (" +
        (before.ok_s ? "from " + iso_time(before.ok_s) : std::string("none yet")) + ")");
  } else if (got.result == GetResult::Result::ok) {
    if (feed) {
      log(redacted(url) + ": " + std::to_string(after.items.size()) +
          " headlines: " + joined(after.items));
    } else {
      log(redacted(url) + ": value " + after.value);
    }
  }
  {
    std::lock_guard lock(mutex_);
    data_[key] = after;
  }
  // The "as of" time shows minutes: a new minute is a change, a confirmation within one is not.
  return after.items != before.items || after.value != before.value ||
         after.ok_s / 60 != before.ok_s / 60;
}

void LiveWorker::main() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    std::vector<Wanted> due;
    std::int64_t next_s = 0;  // the earliest fetch not due yet; 0: none
    const std::int64_t now = now_s();
    for (const Wanted& w : base_ ? wanted(*base_) : std::vector<Wanted>()) {
      const LiveEntry& e = data_[w.key];
      // At most one fetch per refresh_s; after failures, backing off up to the poll's cap.
      double delay = w.refresh_s();
      if (e.failures > 0) {
        delay = std::min(std::max(w.refresh_s(), options_.http.backoff_cap_s),
                         w.refresh_s() * std::pow(2.0, std::min(e.failures, 30) - 1));
      }
      const std::int64_t at = e.tried_s + std::int64_t(std::llround(delay));
      // A clock set back (tried in the future) does not hold fetches off.
      if (e.url != w.url() || e.tried_s == 0 || at <= now || e.tried_s > now + 60) {
        due.push_back(w);
      } else if (next_s == 0 || at < next_s) {
        next_s = at;
      }
    }
    if (!due.empty()) {
      auto keep = base_;  // the sources point into it
      lock.unlock();
      bool changed = false;
      for (const Wanted& w : due) {
        if (stop_transfer_) break;
        changed = fetch(w.key, w.url(), w.feed, w.source) || changed;
      }
      save();
      if (changed && changed_) changed_();
      if (status_changed_) status_changed_();
      lock.lock();
      continue;
    }
    if (next_s == 0) {
      wake_.wait(lock);
    } else {
      wake_.wait_for(lock, std::chrono::seconds(std::max<std::int64_t>(1, next_s - now)));
    }
  }
}

}  // namespace signage::sync
