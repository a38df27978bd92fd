// The fleet view: statuses, acks and retained alerts collected into a table for a terminal.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "fleet/fleet.h"

namespace signage::fleet {
namespace {

// Columns are padded by what a terminal shows: East Asian characters take two cells.
std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = text[i];
    std::size_t length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    width += length >= 3 ? 2 : 1;  // U+0800 and above: mostly CJK in what players are called
    i += length;
  }
  return width;
}

std::string pad(std::string_view text, std::size_t width) {
  std::string out(text);
  for (std::size_t w = display_width(text); w < width; ++w) out += ' ';
  return out;
}

std::string join(const std::vector<std::string>& parts, const char* separator = ",") {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

std::string ago(std::int64_t then_ms, std::int64_t now_ms) {
  if (then_ms <= 0) return "-";
  std::int64_t s = std::max<std::int64_t>(0, (now_ms - then_ms) / 1000);
  char text[32];
  if (s < 120)
    std::snprintf(text, sizeof text, "%lld s ago", (long long)s);
  else if (s < 7200)
    std::snprintf(text, sizeof text, "%lld min ago", (long long)(s / 60));
  else if (s < 172800)
    std::snprintf(text, sizeof text, "%lld h ago", (long long)(s / 3600));
  else
    std::snprintf(text, sizeof text, "%lld days ago", (long long)(s / 86400));
  return text;
}

std::string megabytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
  return text;
}

std::string revision_cell(const std::optional<std::int64_t>& playing,
                          const std::optional<std::int64_t>& expected) {
  if (!playing) return "-";
  std::string out = std::to_string(*playing);
  if (!expected) return out;
  if (*playing == *expected) return out + " ok";
  return out + (*playing < *expected ? " OLD" : " NEWER") + " (want " + std::to_string(*expected) +
         ")";
}

std::string download_cell(const Status& s) {
  if (!s.online || !s.download_total) return "-";
  std::uint64_t done = s.download_done.value_or(0), total = *s.download_total;
  int percent = total ? int(100.0 * double(done) / double(total)) : 0;
  return std::to_string(percent) + "% of " + megabytes(total);
}

const char* priority_name(int priority) {
  return priority >= 3 ? "emergency" : priority == 2 ? "warning" : "information";
}

// The last few unreadable messages, for the table (a watch runs for days).
void add_problem(View& view, std::string problem) {
  if (view.problems.size() >= 10) view.problems.erase(view.problems.begin());
  view.problems.push_back(std::move(problem));
}

}  // namespace

void apply_message(View& view, std::string_view fleet, std::string_view topic,
                   std::string_view payload, std::int64_t received_ms) {
  TopicParts parts = split_topic(fleet, topic);
  std::string error;
  if (parts.kind == "status") {
    if (payload.empty()) {  // a retained status cleared: the player was taken out of the fleet
      view.players.erase(parts.name);
      return;
    }
    auto status = parse_status(payload, &error);
    if (!status) {
      add_problem(view, std::string(topic) + ": " + error);
      return;
    }
    if (!view.players.count(parts.name) && view.players.size() >= kMaxPlayers) {
      add_problem(view, std::string(topic) + ": more than " + std::to_string(kMaxPlayers) +
                            " players; this one is left out");
      return;
    }
    PlayerRow& row = view.players[parts.name];
    if (status->online) {
      row.seen_online = true;
      row.last_online = *status;
    }
    row.status = std::move(*status);
    row.received_ms = received_ms;
  } else if (parts.kind == "ack") {
    auto ack = parse_ack(payload, &error);
    if (ack && ack->player != parts.name)
      error = "the acknowledgement's \"player\" is not its topic's";
    if (ack && ack->alert.size() > kMaxAlertId) error = "the acknowledged alert id is too long";
    if (!ack || !error.empty()) {
      add_problem(view, std::string(topic) + ": " + error);
      return;
    }
    auto alert = view.acks.find(ack->alert);
    if (alert == view.acks.end() && view.acks.size() >= kMaxAckedAlerts) {
      view.acks.erase(view.acks.begin());  // the oldest id first when ids sort by time
    }
    auto& players = view.acks[ack->alert];
    if (!players.count(ack->player) && players.size() >= kMaxPlayers) return;
    players[ack->player] = {*ack, received_ms};
  } else if (parts.kind == "alert") {
    if (payload.empty()) {
      view.group_alerts.erase(parts.name);
      return;
    }
    auto alert = parse_alert_message(payload, &error);
    if (!alert) {
      add_problem(view, std::string(topic) + ": " + error);
      return;
    }
    if (!view.group_alerts.count(parts.name) && view.group_alerts.size() >= kMaxAckedAlerts) {
      add_problem(view, std::string(topic) + ": more than " + std::to_string(kMaxAckedAlerts) +
                            " groups with an alert; this one is left out");
      return;
    }
    view.group_alerts[parts.name] = std::move(*alert);
  }
}

std::set<std::string> groups_of_alert(const View& view, const std::string& alert_id) {
  std::set<std::string> groups;
  for (const auto& [group, alert] : view.group_alerts) {
    if (alert.id == alert_id) groups.insert(group);
  }
  return groups;
}

std::int64_t last_seen_ms(const PlayerRow& row, std::int64_t now_ms) {
  const Status& s = row.status;
  if (s.online) return s.time_ms ? std::min(s.time_ms, now_ms) : row.received_ms;
  return row.seen_online ? row.received_ms : 0;
}

AlertProgress alert_progress(const View& view, const std::string& alert_id,
                             const std::set<std::string>& groups) {
  AlertProgress progress;
  auto acks = view.acks.find(alert_id);
  for (const auto& [name, row] : view.players) {
    bool acked = acks != view.acks.end() && acks->second.count(name);
    bool shows = row.status.online &&
                 std::count(row.status.alerts.begin(), row.status.alerts.end(), alert_id);
    if (acked || shows) {
      (acked ? progress.acked : progress.holding).push_back(name);
      continue;
    }
    const Status& known = row.status.online ? row.status : row.last_online;
    bool in_group = std::any_of(known.groups.begin(), known.groups.end(),
                                [&](const std::string& g) { return groups.count(g) > 0; });
    if (in_group) (row.status.online ? progress.waiting : progress.offline).push_back(name);
  }
  return progress;
}

std::string format_table(const View& view, const TableOptions& options) {
  const std::vector<std::string> headers = {"PLAYER",    "ONLINE",  "GROUPS",   "REVISION",
                                            "LAST SEEN", "PLAYING", "DOWNLOAD", "DISPLAY",
                                            "DROPPED",   "ALERTS"};
  std::vector<std::vector<std::string>> rows;
  int online = 0, offline = 0, behind = 0;
  for (const auto& [name, row] : view.players) {
    const Status& s = row.status;
    const Status& known = s.online ? s : row.last_online;
    bool seen = s.online || row.seen_online;
    s.online ? ++online : ++offline;
    if (s.online && options.expected_revision && s.revision &&
        *s.revision < *options.expected_revision) {
      ++behind;
    }
    std::int64_t seen_ms = last_seen_ms(row, options.now_ms);
    rows.push_back({name, s.online ? "yes" : "NO", seen ? join(known.groups) : "-",
                    seen ? revision_cell(known.revision, options.expected_revision) : "-",
                    ago(seen_ms, options.now_ms),
                    s.online ? (s.playing_item.empty() ? "(fallback)" : s.playing_item) : "-",
                    download_cell(s), s.online && !s.display.empty() ? s.display : "-",
                    s.online ? std::to_string(s.dropped_frames) : "-",
                    s.online && !s.alerts.empty() ? join(s.alerts) : "-"});
  }
  std::vector<std::size_t> widths(headers.size());
  for (std::size_t c = 0; c < headers.size(); ++c) {
    widths[c] = display_width(headers[c]);
    for (const auto& r : rows) widths[c] = std::max(widths[c], display_width(r[c]));
  }
  std::ostringstream out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      text += c + 1 < cells.size() ? pad(cells[c], widths[c] + 2) : cells[c];
    }
    out << text << "\n";
  };
  line(headers);
  for (const auto& r : rows) line(r);
  out << view.players.size() << (view.players.size() == 1 ? " player: " : " players: ") << online
      << " online, " << offline << " offline";
  if (options.expected_revision) {
    out << "; " << behind << " online playing a revision older than " << *options.expected_revision;
  }
  out << "\n";

  // Alerts: every retained one, and the one asked about.
  std::set<std::string> ids;
  for (const auto& [group, alert] : view.group_alerts) {
    if (alert.action == "show") ids.insert(alert.id);
  }
  if (!options.alert_id.empty()) ids.insert(options.alert_id);
  for (const std::string& id : ids) {
    std::set<std::string> groups = groups_of_alert(view, id);
    out << "\nalert " << id;
    for (const auto& [group, alert] : view.group_alerts) {
      if (alert.id != id) continue;
      out << " (" << alert.action << ", " << priority_name(alert.priority) << ", group " << group
          << ", expires " << alert.expires << "): " << alert.title;
      break;
    }
    if (groups.empty()) out << " (no group has it now)";
    out << "\n";
    AlertProgress progress = alert_progress(view, id, groups);
    auto acks = view.acks.find(id);
    std::vector<std::string> acked;
    for (const auto& name : progress.acked) {
      std::string entry = name;
      if (acks != view.acks.end() && acks->second.count(name)) {
        const AckSeen& seen = acks->second.at(name);
        auto issued = parse_time_ms(seen.ack.issued);
        if (issued && seen.ack.shown_ms >= *issued) {
          char text[48];
          std::snprintf(text, sizeof text, " (shown %.1f s after issue)",
                        (seen.ack.shown_ms - *issued) / 1000.0);
          entry += text;
        }
      }
      acked.push_back(entry);
    }
    out << "  on screen (acknowledged): " << acked.size() << (acked.empty() ? "" : ": ")
        << join(acked, ", ") << "\n";
    out << "  holding it (in their status; no acknowledgement seen here): "
        << progress.holding.size() << (progress.holding.empty() ? "" : ": ")
        << join(progress.holding, ", ") << "\n";
    out << "  online and not yet: " << progress.waiting.size()
        << (progress.waiting.empty() ? "" : ": ") << join(progress.waiting, ", ") << "\n";
    if (!progress.offline.empty()) {
      out << "  offline (get it when they connect): " << progress.offline.size() << ": "
          << join(progress.offline, ", ") << "\n";
    }
  }
  for (const std::string& problem : view.problems) out << "unreadable message: " << problem << "\n";
  return out.str();
}

}  // namespace signage::fleet
