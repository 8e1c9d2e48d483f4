#include "crashsift/input/gatewayd.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <memory>
#include <system_error>
#include <thread>

#include <sys/resource.h>

#include "crashsift/core/text.hpp"
#include "crashsift/input/event_runs.hpp"

namespace crashsift::input {
namespace {

constexpr std::string_view export_media_type = "application/vnd.fdo.journal";

// What one host's requests gave: a run of events per request, and the host's accounting.
struct HostRead {
  std::vector<std::unique_ptr<EventRun>> runs;
  InputReport report;
};

void read_one_host(const GatewaydHost& host, const std::vector<std::string>& queries, const GatewaydOptions& options,
                   ParseOptions parse, HostRead& out) {
  InputReport& report = out.report;
  report.path = host.url;
  report.format = "export";
  std::uint64_t received = 0;
  std::string first_error;
  size_t failed = 0;
  for (const auto& query : queries) {
    HttpRequest request;
    request.url = entries_url(host.url, query);
    request.headers = {"Accept: " + std::string(export_media_type)};
    request.tls = options.tls;
    request.connect_timeout_ms = options.connect_timeout_ms;
    request.read_timeout_ms = options.read_timeout_ms;
    request.idle.stop = options.stop;
    auto source = open_http(request);
    auto run = std::make_unique<EventRun>();
    run->set_input(parse.input_index);
    if (!run->error().empty()) {
      report.fatal = run->error();
      return;
    }
    LineReader reader(*source, parse.max_line);
    export_format().parse(reader, parse, report, [&run](const Event& e) { run->add(e); });
    run->finish_writing();
    received += http_bytes_received(*source);
    if (!source->error().empty()) {
      ++failed;
      if (first_error.empty()) first_error = source->error();
    }
    out.runs.push_back(std::move(run));
    if (received == 0 && !first_error.empty()) break;  // down: do not wait out every request
  }
  report.bytes = received;
  if (received == 0 && !first_error.empty()) {
    report.fatal = first_error;
    return;
  }
  if (failed > 0)
    report.note("the transfer ended early (" + std::to_string(failed) + " of " + std::to_string(queries.size()) +
                " requests): " + first_error + "; what came before is used");
  std::string what = queries.size() == 1 && queries.front().empty()
                         ? "every entry"
                         : std::to_string(queries.size()) + " filtered requests";
  report.note("read from systemd-journal-gatewayd (" + host.name + "): " + what + ", " + std::to_string(received) +
              " bytes");
}

}  // namespace

bool is_gatewayd_url(std::string_view s) { return starts_with(s, "http://") || starts_with(s, "https://"); }

GatewaydHost host_from_url(const std::string& url, std::string name) {
  if (name.empty()) {
    std::string_view rest(url);
    const size_t scheme = rest.find("://");
    if (scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
    name = std::string(rest.substr(0, rest.find_first_of("/?")));
  }
  return {std::move(name), url};
}

Result<std::vector<GatewaydHost>> parse_hosts_list(std::string_view text, const std::string& path) {
  std::vector<GatewaydHost> hosts;
  size_t number = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++number;
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const size_t scheme = line.find("://");
    const size_t eq = line.find('=');
    std::string name, url;
    if (eq != std::string_view::npos && (scheme == std::string_view::npos || eq < scheme)) {
      name = std::string(trim(line.substr(0, eq)));
      url = std::string(trim(line.substr(eq + 1)));
    } else {
      url = std::string(line);
    }
    if (!is_gatewayd_url(url) || url.find_first_of(" \t\r") != std::string::npos)
      return make_error(path + ":" + std::to_string(number) + ": not an http:// or https:// URL (one host per line): " +
                        std::string(line));
    hosts.push_back(host_from_url(url, name));
  }
  if (hosts.empty()) return make_error("hosts file " + path + " lists no host (one URL or NAME=URL per line)");
  return hosts;
}

Result<std::vector<GatewaydHost>> read_hosts_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read hosts file " + path + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  return parse_hosts_list(text.str(), path);
}

std::vector<std::string> gatewayd_queries(const std::vector<std::string>& units) {
  if (units.empty()) return {""};
  const auto each = [&units](const char* field) {
    std::string q;
    for (const auto& u : units) q += (q.empty() ? "" : "&") + std::string(field) + "=" + url_encode(u);
    return q;
  };
  return {each("_SYSTEMD_UNIT"), each("UNIT"), "_TRANSPORT=kernel",
          "SYSLOG_IDENTIFIER=systemd-coredump&SYSLOG_IDENTIFIER=systemd-oomd&SYSLOG_IDENTIFIER=systemd-journald"};
}

std::string entries_url(const std::string& base, const std::string& query) {
  std::string url = base;
  const size_t scheme = url.find("://");
  const size_t path = url.find_first_of("/?", scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos || url[path] == '?') {
    url.insert(path == std::string::npos ? url.size() : path, "/entries");
  } else if (url.compare(path, std::string::npos, "/") == 0) {
    url += "entries";
  }
  if (query.empty()) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

void read_gatewayd_hosts(const std::vector<GatewaydHost>& hosts, const GatewaydOptions& options,
                         const ParseOptions& parse, std::vector<InputReport>& reports, const EventSink& sink) {
  const std::vector<std::string> queries = gatewayd_queries(options.units);
  std::vector<HostRead> reads(hosts.size());
  std::atomic<size_t> next{0};
  const auto worker = [&] {
    for (size_t i = next++; i < hosts.size(); i = next++) {
      ParseOptions p = parse;
      p.input_index = parse.input_index + static_cast<std::uint32_t>(i);
      p.jobs = 1;  // hosts are the parallelism
      read_one_host(hosts[i], queries, options, p, reads[i]);
    }
  };
  if (hosts.empty()) return;
  // Every host's requests keep a temporary file open until the merge (4 per host with -u):
  // a fleet of hundreds needs more descriptors than the usual soft limit of 1024.
  if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
  const size_t threads = std::clamp<size_t>(options.max_in_flight, 1, hosts.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) {
    try {
      pool.emplace_back(worker);
    } catch (const std::system_error&) {
      break;  // no more threads to be had (pids.max): the ones started share the hosts
    }
  }
  worker();
  for (auto& t : pool) t.join();

  std::vector<EventRun*> runs;
  for (auto& r : reads)
    for (auto& run : r.runs) runs.push_back(run.get());
  std::vector<std::uint64_t> duplicates(hosts.size());
  merge_event_runs(runs, sink, [&](const Event& e) { ++duplicates[e.origin.input - parse.input_index]; });
  for (size_t i = 0; i < reads.size(); ++i) {
    InputReport& r = reads[i].report;
    r.entries -= std::min(r.entries, duplicates[i]);  // the parse counted them once per request
    for (auto& run : reads[i].runs)
      if (!run->error().empty() && reads[i].report.fatal.empty()) reads[i].report.fatal = run->error();
    reports.push_back(std::move(r));
  }
}

}  // namespace crashsift::input
