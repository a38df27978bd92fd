// The first-boot screen: what the player shows while it has no content yet. Its card's facts
// (scene::first_boot_screen lays them out), from run's settings and this box's addresses, the
// playlist of the card and the demo, and the watch that keeps the card current.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "content/content.h"
#include "run/player.h"
#include "run_settings.h"

namespace signage {

// The IPv4 addresses of this box's interfaces that are up, loopback excluded, in interface order.
std::vector<std::string> this_box_addresses();

// studio_url with "{ip}" replaced by each of `addresses` (one URL each; without addresses, a
// line saying the box is not on a network yet); studio_url unset: "http://{ip}:8080" when a
// local_source (the studio on this box) is set, else no studio. The USB folder unless USB is off,
// the web source (credentials hidden) and `player_id`.
content::FirstBoot first_boot_facts(const RunSettings& s, const std::vector<std::string>& addresses,
                                    const std::string& player_id);

// How long the first-boot card stays before the demo's items: long enough to copy an address.
constexpr double kFirstBootCardSeconds = 20;

// The waiting playlist: the card showing `facts` (kFirstBootCardSeconds) followed by `demo`'s
// items, looping, in the demo's theme with its ticker (never dark: no display hours, no expiry,
// revision 0). Without a demo, the card alone (the fallback screen of a playlist with no items).
std::shared_ptr<const content::Playlist> first_boot_playlist(
    const content::FirstBoot& facts, std::shared_ptr<const content::Playlist> demo = nullptr);

// The demo bundle (run::demo_playlist_path()) to play after the card: null when first_boot_demo
// is off, or when the bundle is missing or invalid (its problems printed to stderr).
std::shared_ptr<const content::Playlist> first_boot_demo(const RunSettings& s);

// While nothing is stored: keeps the first-boot screen current (this box's addresses, which DHCP
// may hand out after the player started, and the web source's last poll) until content arrives.
// New content goes through content_arrived, under the same lock, so a late update of the
// waiting screen can never replace it.
class FirstBootWatch {
 public:
  FirstBootWatch(const RunSettings& s, run::Player& player, std::string player_id,
                 content::FirstBoot shown, std::shared_ptr<const content::Playlist> demo);
  ~FirstBootWatch();
  FirstBootWatch(const FirstBootWatch&) = delete;
  FirstBootWatch& operator=(const FirstBootWatch&) = delete;
  void web_poll(bool ok, const std::string& text);
  void content_arrived(std::shared_ptr<const content::Playlist> playlist);

 private:
  void main();
  const RunSettings& s_;
  run::Player& player_;
  const std::string id_;
  const std::shared_ptr<const content::Playlist> demo_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false, arrived_ = false, web_problem_ = false;
  std::string web_state_;
  content::FirstBoot shown_;
  std::thread thread_;
};

}  // namespace signage
