// The fleet's plumbing that needs no server: the /entries URLs and the filtered requests for -u,
// the hosts file, and the merge of spilled event runs back into the journal's order (by the
// cursor's receive time, not the sender's own timestamp), each entry once.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "crashsift/input/event_runs.hpp"
#include "crashsift/input/gatewayd.hpp"
#include "crashsift/input/gatewayd_follow.hpp"

using namespace crashsift;
using namespace crashsift::input;

namespace {

Event entry(std::string message, std::optional<UsecUtc> source_time, std::string cursor = {}) {
  Event e;
  e.message = std::move(message);
  e.time = source_time;
  e.origin.cursor = std::move(cursor);
  return e;
}

// A cursor as journald writes it: the t= field is the receive time in hex µs.
std::string cursor(unsigned seqnum, UsecUtc received) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "s=0123456789abcdef0123456789abcdef;i=%x;b=fedcba9876543210fedcba9876543210;m=1;t=%llx;x=9",
                seqnum, static_cast<unsigned long long>(received));
  return buf;
}

std::vector<std::string> merged(std::vector<std::vector<Event>> streams, std::vector<std::string>* duplicates = nullptr) {
  std::vector<std::unique_ptr<EventRun>> runs;
  std::vector<EventRun*> raw;
  for (size_t i = 0; i < streams.size(); ++i) {
    runs.push_back(std::make_unique<EventRun>());
    REQUIRE(runs.back()->error().empty());
    runs.back()->set_input(static_cast<std::uint32_t>(7 + i));
    for (const auto& e : streams[i]) runs.back()->add(e);
    runs.back()->finish_writing();
    raw.push_back(runs.back().get());
  }
  std::vector<std::string> out;
  merge_event_runs(
      raw, [&](const Event& e) { out.push_back(e.message + "@" + std::to_string(e.origin.input)); },
      [&](const Event& e) {
        if (duplicates) duplicates->push_back(e.message);
      });
  return out;
}

}  // namespace

TEST_CASE("gatewayd: the /entries URL keeps the user's path and matches") {
  CHECK(entries_url("http://web1:19531", "") == "http://web1:19531/entries");
  CHECK(entries_url("http://web1:19531/", "_TRANSPORT=kernel") == "http://web1:19531/entries?_TRANSPORT=kernel");
  CHECK(entries_url("https://web1:19531/entries", "UNIT=a.service") == "https://web1:19531/entries?UNIT=a.service");
  CHECK(entries_url("http://web1:19531/entries?boot", "UNIT=a.service") == "http://web1:19531/entries?boot&UNIT=a.service");
  CHECK(entries_url("http://web1:19531?boot", "") == "http://web1:19531/entries?boot");
}

TEST_CASE("gatewayd: -u asks one request per field, values of one field ORed, encoded") {
  CHECK(gatewayd_queries({}) == std::vector<std::string>{""});
  const auto q = gatewayd_queries({"api.service", "worker@2.service"});
  REQUIRE(q.size() == 4);
  CHECK(q[0] == "_SYSTEMD_UNIT=api.service&_SYSTEMD_UNIT=worker%402.service");
  CHECK(q[1] == "UNIT=api.service&UNIT=worker%402.service");
  CHECK(q[2] == "_TRANSPORT=kernel");
  CHECK(q[3].find("SYSLOG_IDENTIFIER=systemd-coredump") != std::string::npos);
  CHECK(url_encode("a b/c") == "a%20b%2Fc");
}

TEST_CASE("gatewayd: host names from the URL or the hosts file") {
  CHECK(host_from_url("http://web1.example:19531/entries?boot").name == "web1.example:19531");
  CHECK(host_from_url("https://[::1]:19531").name == "[::1]:19531");
  const std::string path = "/tmp/crashsift-hosts-test.txt";
  {
    std::ofstream f(path);
    f << "# fleet\n\nweb1=http://10.0.0.1:19531\n  http://10.0.0.2:19531  \n db = https://db:19531/entries?boot\n";
  }
  auto hosts = read_hosts_file(path);
  REQUIRE(hosts.ok());
  REQUIRE(hosts->size() == 3);
  CHECK((*hosts)[0].name == "web1");
  CHECK((*hosts)[0].url == "http://10.0.0.1:19531");
  CHECK((*hosts)[1].name == "10.0.0.2:19531");
  CHECK((*hosts)[2].name == "db");
  CHECK((*hosts)[2].url == "https://db:19531/entries?boot");
  {
    std::ofstream f(path);
    f << "web1=http://10.0.0.1:19531\nweb2 10.0.0.2\n";
  }
  auto bad = read_hosts_file(path);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().find(":2: not an http") != std::string::npos);
  {
    std::ofstream f(path);
    f << "# nobody\n";
  }
  CHECK_FALSE(read_hosts_file(path).ok());
  std::remove(path.c_str());
  CHECK_FALSE(read_hosts_file(path).ok());
}

TEST_CASE("event runs: merged in the journal's receive order, each entry once, with their input") {
  // Run 0: a service's stdout line, written at 100 but received at 300 (stdout has no source
  // time: its time is the receive time). Run 1: PID 1's records with source times 200 and 400.
  std::vector<Event> output = {entry("out", 300, cursor(3, 300))};
  std::vector<Event> manager = {entry("exit", 200, cursor(2, 250)), entry("result", 400, cursor(4, 410))};
  CHECK(merged({output, manager}) == std::vector<std::string>{"exit@8", "out@7", "result@8"});
  // The same entry returned by two filtered requests is handed on once.
  std::vector<std::string> dups;
  std::vector<Event> also = {entry("exit", 200, cursor(2, 250)), entry("late", 500, cursor(5, 500))};
  CHECK(merged({manager, also}, &dups) == std::vector<std::string>{"exit@7", "result@7", "late@8"});
  CHECK(dups == std::vector<std::string>{"exit"});
  // Without cursors the event's own time orders them; untimed events come first.
  CHECK(merged({{entry("b", 20), entry("d", 40)}, {entry("a", std::nullopt), entry("c", 30)}}) ==
        std::vector<std::string>{"a@8", "b@7", "c@8", "d@7"});
}

TEST_CASE("event runs: large events and many of them read back whole") {
  EventRun run;
  Event big = entry(std::string(300000, 'x'), 1);
  for (int i = 0; i < 60; ++i) {
    big.message[0] = static_cast<char>('a' + i % 26);
    run.add(big);
  }
  run.finish_writing();
  CHECK(run.size() == 60);
  Event e;
  int n = 0;
  while (run.next(e)) {
    REQUIRE(e.message.size() == 300000);
    CHECK(e.message[0] == static_cast<char>('a' + n % 26));
    ++n;
  }
  CHECK(n == 60);
  CHECK(run.error().empty());
}

TEST_CASE("gatewayd follow: whole export entries are found across binary values that hold blank lines") {
  std::string binary = "MESSAGE\n";
  const std::string value = "a\n\nb";
  for (int i = 0; i < 8; ++i) binary += static_cast<char>(i == 0 ? value.size() : 0);
  binary += value + "\n";
  const std::string first = "__CURSOR=s=1;i=1\n_PID=7\n" + binary + "\n";
  const std::string second = "__CURSOR=s=1;i=2\nMESSAGE=x\n\n";
  const std::string bytes = first + second;
  std::string cursor;
  CHECK(whole_export_entry(bytes, cursor) == first.size());
  CHECK(cursor == "s=1;i=1");
  CHECK(whole_export_entry(std::string_view(bytes).substr(first.size()), cursor) == second.size());
  CHECK(cursor == "s=1;i=2");
  // Not all there yet: inside the length, inside the value, before the blank line.
  for (size_t cut : {size_t{5}, first.find("MESSAGE\n") + 10, first.find("a\n\nb") + 2, first.size() - 1}) {
    std::string c;
    CHECK(whole_export_entry(std::string_view(bytes).substr(0, cut), c) == 0);
  }
  // A length no export value has: not the export form.
  std::string wrong = "NAME\n" + std::string(8, '\xff') + "x\n\n";
  CHECK(whole_export_entry(wrong, cursor) == std::string_view::npos);
}
