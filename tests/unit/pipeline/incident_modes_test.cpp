// Failure modes group exits by cause, message or core signature; their titles must describe
// every exit in them, not only the first one.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "crashsift/classify/rules.hpp"
#include "crashsift/pipeline/incident.hpp"
#include "crashsift/report/exits_report.hpp"

using namespace crashsift;

namespace {

classify::Exit self_exit(std::int64_t code, UsecUtc at, std::string reason = {}) {
  classify::Exit x;
  x.unit = "billing.service";
  x.exit_kind = "exited";
  x.code = code;
  x.exited_at = at;
  x.reason = std::move(reason);
  classify::classify_exit(x, classify::ExitFacts{});
  return x;
}

std::vector<std::string> titles_of(std::vector<classify::Exit> exits) {
  pipeline::IncidentOptions options;
  options.zone = Zone::utc();
  pipeline::IncidentBuilder builder(options, false, false);
  for (auto& x : exits) builder.add(std::move(x), nullptr, "", nullptr, {});
  auto incident = builder.finish(report::ExitsReport{});
  REQUIRE(incident);
  std::vector<std::string> titles;
  for (const auto& m : incident->modes) titles.push_back(m.title + " x" + std::to_string(m.exits.size()));
  return titles;
}

}  // namespace

TEST_CASE("a failure mode whose exits have different codes names every code in its title") {
  const UsecUtc t0 = 1'800'000'000 * usec_per_sec;
  const auto titles = titles_of({self_exit(2, t0), self_exit(1, t0 + 10), self_exit(2, t0 + 20)});
  REQUIRE(titles.size() == 1);
  CHECK(titles[0] == "exit-1, exit-2: exit-code x3");
}

TEST_CASE("a failure mode of one code keeps that code; many codes are cut after four") {
  const UsecUtc t0 = 1'800'000'000 * usec_per_sec;
  CHECK(titles_of({self_exit(3, t0), self_exit(3, t0 + 10)}) == std::vector<std::string>{"exit-3: exit-code x2"});
  std::vector<classify::Exit> many;
  for (std::int64_t code : {9, 5, 7, 6, 8}) many.push_back(self_exit(code, t0 + code));
  CHECK(titles_of(std::move(many)) == std::vector<std::string>{"exit-5, exit-6, exit-7, exit-8, ...: exit-code x5"});
}

TEST_CASE("exits with one crash message and different codes: one mode, the message kept, both codes named") {
  const UsecUtc t0 = 1'800'000'000 * usec_per_sec;
  const auto titles = titles_of({self_exit(1, t0, "Error: connect ECONNREFUSED 10.0.0.7:5432"),
                                 self_exit(7, t0 + 10, "Error: connect ECONNREFUSED 10.0.0.9:5432")});
  REQUIRE(titles.size() == 1);
  CHECK(titles[0] == "exit-1, exit-7: Error: connect ECONNREFUSED 10.0.0.7:5432 x2");
}
