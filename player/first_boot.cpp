#include "first_boot.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <memory>

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

std::shared_ptr<const content::Playlist> first_boot_playlist(const content::FirstBoot& facts) {
  auto playlist = std::make_shared<content::Playlist>();
  playlist->title = "正在等待播放内容";
  playlist->first_boot = facts;
  return playlist;
}

}  // namespace signage
