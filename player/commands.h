// The subcommands of signage-player. Each takes the arguments after its name and returns the
// process exit code: 0 success, 1 bad input or failure (with a message on stderr), 2 bad usage.
#pragma once

#include <string_view>
#include <vector>

namespace signage {

int layout_command(const std::vector<std::string_view>& args);
int render_command(const std::vector<std::string_view>& args);
int run_command(const std::vector<std::string_view>& args);
int check_command(const std::vector<std::string_view>& args);
int manifest_command(const std::vector<std::string_view>& args);
int keygen_command(const std::vector<std::string_view>& args);
int sign_command(const std::vector<std::string_view>& args);
int fleet_command(const std::vector<std::string_view>& args);

}  // namespace signage
