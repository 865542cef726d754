// `tcpsim profiles`: every TCP parameter with its value in each profile, from the one list in
// models/tcp/param_fields.hpp. With --markdown it prints the table scenarios/README.md embeds
// (a test keeps the two equal).
#pragma once

#include <ostream>

namespace tcpsim::cli {

void print_profiles(std::ostream& out, bool markdown);

}  // namespace tcpsim::cli
