// `tcpsim check [DIR|FILE...]`: the regression batch. Runs every scenario (recursively, in
// parallel), prints one line per scenario in path order with its verdict and time, then the
// failures and a summary; optionally writes JUnit XML and a results directory.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "sim/cli/limit_flags.hpp"
#include "sim/scenario/batch.hpp"

namespace tcpsim::cli {

struct CheckArgs {
  std::vector<std::string> paths;  // default: scenarios/
  unsigned jobs = 0;               // 0: the number of cores
  std::string junit;
  std::string filter;  // ECMAScript regex searched in each scenario id
  std::string out_dir;
  bool bless = false;
  bool quiet = false;  // only failures and the summary
  LimitFlags limits;   // --max-time, --max-events, --max-records: over every scenario's "limits"
  // --kernel (check_kernel.hpp): on the real kernel and the model, compared.
  bool kernel = false;
  std::string max_real_time = "75s";  // per kernel run
  std::string tolerance = "35ms";
  bool strict = false;  // exit 1 when a scenario differs
};

int cmd_check(const CheckArgs& a, std::ostream& out, std::ostream& err);

// The scenario files the paths name, after --filter; kOk, or kBadInput after saying why.
int collect_inputs(const CheckArgs& a, std::vector<scenario::BatchInput>& inputs, std::ostream& err);

}  // namespace tcpsim::cli
