#include "first_boot.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <chrono>
#include <memory>

#include "scene/scene.h"
#include "sync/http_source.h"

namespace signage {

std::vector<std::string> this_box_addresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owned(list, &::freeifaddrs);
  for (const ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
    if (!(a->ifa_flags & IFF_UP) || (a->ifa_flags & IFF_LOOPBACK)) continue;
    char text[INET_ADDRSTRLEN] = {};
    const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
    if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) out.emplace_back(text);
  }
  return out;
}

content::FirstBoot first_boot_facts(const RunSettings& s, const std::vector<std::string>& addresses,
                                    const std::string& player_id) {
  content::FirstBoot facts;
  std::string studio = s.studio_url;
  if (studio.empty() && !s.sync.local_source.empty()) studio = "http://{ip}:8080";
  const auto placeholder = studio.find("{ip}");
  if (placeholder == std::string::npos) {
    if (!studio.empty()) facts.studio_urls.push_back(studio);
  } else if (addresses.empty()) {
    facts.studio_urls.push_back("网络未连接 not on a network yet");
  } else {
    for (const std::string& address : addresses) {
      facts.studio_urls.push_back(std::string(studio).replace(placeholder, 4, address));
    }
  }
  if (s.sync.watch_usb && !s.sync.usb_roots.empty()) facts.usb_folder = "signage";
  if (!s.sync.http.url.empty()) facts.web_url = sync::redacted(s.sync.http.url);
  facts.player_id = player_id;
  return facts;
}

std::shared_ptr<const content::Playlist> first_boot_playlist(
    const content::FirstBoot& facts, std::shared_ptr<const content::Playlist> demo) {
  auto playlist =
      demo ? std::make_shared<content::Playlist>(*demo) : std::make_shared<content::Playlist>();
  playlist->title = "正在等待播放内容";
  playlist->first_boot = facts;
  if (!demo) return playlist;
  // Nothing of this is stored content: the screen stays on, never says "expired", and
  // status.json reports revision 0.
  playlist->revision = 0;
  playlist->expires.reset();
  playlist->display_hours = {};
  content::Item card;
  card.type = content::ItemType::notice;
  card.id = std::string(scene::kFirstBootItemId);
  card.title = playlist->title;
  card.duration_s = kFirstBootCardSeconds;
  playlist->items.insert(playlist->items.begin(), std::move(card));
  return playlist;
}

std::shared_ptr<const content::Playlist> first_boot_demo(const RunSettings& s) {
  if (!s.first_boot_demo) return nullptr;
  return run::load_and_report(run::demo_playlist_path());
}

FirstBootWatch::FirstBootWatch(const RunSettings& s, run::Player& player, std::string player_id,
                               content::FirstBoot shown,
                               std::shared_ptr<const content::Playlist> demo)
    : s_(s),
      player_(player),
      id_(std::move(player_id)),
      demo_(std::move(demo)),
      shown_(std::move(shown)) {
  thread_ = std::thread([this] { main(); });
}

FirstBootWatch::~FirstBootWatch() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void FirstBootWatch::web_poll(bool ok, const std::string& text) {
  {
    std::lock_guard lock(mutex_);
    web_state_ = ok && text.empty() ? "OK" : text;
    web_problem_ = !ok;
  }
  wake_.notify_all();
}

void FirstBootWatch::content_arrived(std::shared_ptr<const content::Playlist> playlist) {
  std::lock_guard lock(mutex_);
  arrived_ = true;
  player_.submit_playlist(std::move(playlist));
}

void FirstBootWatch::main() {
  std::unique_lock lock(mutex_);
  while (!stop_ && !arrived_) {
    lock.unlock();
    content::FirstBoot facts = first_boot_facts(s_, this_box_addresses(), id_);
    lock.lock();
    facts.web_state = web_state_;
    facts.web_problem = web_problem_;
    if (!arrived_ && !stop_ && !(facts == shown_)) {
      shown_ = facts;
      player_.submit_playlist(first_boot_playlist(facts, demo_));
    }
    wake_.wait_for(lock, std::chrono::seconds(5));
  }
}

}  // namespace signage
