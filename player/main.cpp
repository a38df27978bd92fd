// signage-player: one program, one subcommand per job.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "commands.h"

namespace {

constexpr const char* kUsage = R"(usage: signage-player COMMAND [OPTIONS]

commands:
  run       play a playlist (default: the demo bundle) in a window, full screen or headless
  render    draw the frame a playlist shows at a given second to a PNG
  layout    lay out text with the text engine; prints the lines as JSON, optionally a PNG
  check     check a playlist (playlist.json or bundle folder); one line per problem
  manifest  write the sizes and sha256 of a bundle's assets into its playlist.json
  keygen    make an ed25519 key pair for signing bundles
  sign      sign a bundle's playlist.json (playlist.json.sig)
  fleet     the players of a fleet over its MQTT broker; publish signed alerts (docs/fleet.md)
  help      show this text (signage-player COMMAND --help for a command's options)
  version   print the version
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::string_view command = args[0];
  args.erase(args.begin());
  if (command == "version" || command == "--version") {
    std::printf("signage-player %s\n", SIGNAGE_VERSION);
    return 0;
  }
  if (command == "layout") return signage::layout_command(args);
  if (command == "render") return signage::render_command(args);
  if (command == "run") return signage::run_command(args);
  if (command == "check") return signage::check_command(args);
  if (command == "manifest") return signage::manifest_command(args);
  if (command == "keygen") return signage::keygen_command(args);
  if (command == "sign") return signage::sign_command(args);
  if (command == "fleet") return signage::fleet_command(args);
  std::fprintf(stderr, "signage-player: unknown command '%.*s'\n\n%s", int(command.size()),
               command.data(), kUsage);
  return 2;
}
