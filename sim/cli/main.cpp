#include <iostream>

#include "sim/cli/app.hpp"

int main(int argc, char** argv) { return tcpsim::cli::run_cli(argc, argv, std::cout, std::cerr); }
