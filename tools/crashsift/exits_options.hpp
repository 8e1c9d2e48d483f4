#pragma once
// Options shared by `exits` and `report` (same inputs, selection, app telemetry and cores),
// defined once.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "crashsift/pipeline/exits_run.hpp"

namespace crashsift::tool {

struct ExitsOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> directories;
  std::vector<std::string> files;
  std::string hosts_file;                 // --hosts
  std::string trust, cert, key;           // TLS, as systemd-journal-upload names them
  double connect_timeout = 10, read_timeout = 30;
  unsigned max_hosts_in_flight = 8;
  std::string input_format = "auto";
  std::vector<std::string> units;
  std::vector<std::string> hosts;
  std::string since, until;
  std::vector<std::string> boots;
  std::vector<std::int64_t> pids;
  std::vector<std::string> classes;
  std::vector<std::string> fail_on;
  std::optional<int> year;
  bool verify_journals = false;
  std::string native_read = "index";
  unsigned jobs = 0;  // 0: the number of cores
  std::string kernel_boot_time;
  std::string max_line = "16M";
  std::vector<std::string> apps;
  std::vector<std::string> fields;
  std::string app_tz;
  std::string window = "10min";
  std::string memory_limit;
  std::vector<std::string> core_dirs;
  double core_timeout = 30;
  bool debuginfod = false;
  bool evidence = false;
  bool quiet = false;
  OutputOptions out;
};

void add_input_options(CLI::App* app, ExitsOptions& o);
// systemd-journal-gatewayd hosts: TLS and the connect timeout; with fleet, also --hosts, the
// hosts in flight and the read timeout (watch follows one host, quiet for hours at a time).
void add_remote_options(CLI::App* app, ExitsOptions& o, bool fleet);
void add_selection_options(CLI::App* app, ExitsOptions& o);
void add_app_options(CLI::App* app, ExitsOptions& o);
void add_core_options(CLI::App* app, ExitsOptions& o);
// Throws CLI::ValidationError on a bad value.
pipeline::ExitsQuery make_query(const ExitsOptions& o);
// -j when not given: the number of cores (bench/README.md).
unsigned default_jobs();

}  // namespace crashsift::tool
