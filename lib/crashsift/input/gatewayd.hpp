#pragma once
// Hosts served by systemd-journal-gatewayd (HTTP, port 19531): each host's /entries read in
// export form (Accept: application/vnd.fdo.journal), all hosts at once up to a bound, each
// parsed as it arrives, then handed on as one stream in time order. The fleet is one input of
// many hosts, like a journal-remote directory: lifetimes and joins stay per host (their
// _MACHINE_ID), each host has its own InputReport, and a host that is down or hangs is reported
// there (fatal) after at most its timeouts.
//
// With exact units (-u), only the entries that can decide their exits cross the network:
// gatewayd's URL matches are sd-journal matches (one field's values are ORed, different fields
// ANDed, no disjunction), so each host gets one request per field — the units' own output
// (_SYSTEMD_UNIT), PID 1's records about them (UNIT), the kernel's lines (_TRANSPORT=kernel),
// and the coredump, oomd and journald records (SYSLOG_IDENTIFIER) — merged back by time; an
// entry two requests both return is read once (same cursor). gatewayd 252 takes no time range
// (its Range: header takes cursors only), so --since is applied on our side.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/core/diag.hpp"
#include "crashsift/core/event.hpp"
#include "crashsift/core/result.hpp"
#include "crashsift/input/http_source.hpp"
#include "crashsift/input/parser.hpp"

namespace crashsift::input {

struct GatewaydHost {
  std::string name;  // the label: a hosts file's NAME=, else the URL's host[:port]
  std::string url;   // as given: http(s)://HOST[:PORT][/entries[?MATCHES]]
};

struct GatewaydOptions {
  TlsOptions tls;
  long connect_timeout_ms = 10'000;
  long read_timeout_ms = 30'000;
  unsigned max_in_flight = 8;
  std::vector<std::string> units;  // exact unit names (-u): filter on the server
  std::function<bool()> stop;
};

bool is_gatewayd_url(std::string_view s);
GatewaydHost host_from_url(const std::string& url, std::string name = {});
// --hosts FILE: one URL or NAME=URL per line; blank lines and '#' comments are skipped.
Result<std::vector<GatewaydHost>> read_hosts_file(const std::string& path);
// The same over the file's text; path names it in messages ("fleet.txt:3: ...").
Result<std::vector<GatewaydHost>> parse_hosts_list(std::string_view text, const std::string& path);
// The query strings one host is asked (one request each); {""} for everything.
std::vector<std::string> gatewayd_queries(const std::vector<std::string>& units);
// The /entries URL for a host's base URL and one query ("" = no match); the user's own matches
// in the URL are kept.
std::string entries_url(const std::string& base, const std::string& query);

// Reads every host; reports gets one InputReport per host, in hosts' order, whose events carry
// input index first_index + i (ParseOptions::input_index is first_index).
void read_gatewayd_hosts(const std::vector<GatewaydHost>& hosts, const GatewaydOptions& options,
                         const ParseOptions& parse, std::vector<InputReport>& reports, const EventSink& sink);

}  // namespace crashsift::input
