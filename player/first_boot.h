// The first-boot screen's facts: what the player's waiting screen says when it has no content
// yet (scene::first_boot_screen lays them out), from run's settings and this box's addresses.
#pragma once

#include <string>
#include <vector>

#include "content/content.h"
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

// The waiting playlist showing `facts`.
std::shared_ptr<const content::Playlist> first_boot_playlist(const content::FirstBoot& facts);

}  // namespace signage
