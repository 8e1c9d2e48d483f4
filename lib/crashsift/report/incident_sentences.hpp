#pragma once
// The sentences every incident writer says the same way (text, Markdown, HTML): spans, counts,
// a failure mode's one-line detail, its hosts, a crash loop's subject. Formatting only.
#include <optional>
#include <string>

#include "crashsift/report/incident.hpp"

namespace crashsift::report {

std::string when(const std::optional<UsecUtc>& t, const Zone& z);
std::string hhmm(const std::optional<UsecUtc>& t, const Zone& z);
// "2026-06-28 00:12 – 09:22" (the second date only when it differs).
std::string span_text(const std::optional<UsecUtc>& a, const std::optional<UsecUtc>& b, const Zone& z);
// "20 exits over 9 h 9 min: 14 clean, 5 segfault, 1 self-exit"
std::string counts_line(const Incident& r);
std::string mode_line(const FailureMode& m, const Zone& z);
// A failure mode of a fleet: "on 3 hosts since 07:57 (first web1)"; "" for one host.
std::string hosts_summary(const FailureMode& m, const Zone& z);
// "web1 ×12, web2 ×10, web3 ×9" (the most hit first; at most 8 named).
std::string hosts_list(const FailureMode& m);
// A crash loop names its host when the report covers several.
std::string loop_subject(const CrashLoop& l, const Incident& r);
std::string mode_detail(const FailureMode& m, const Zone& z);
std::string unit_list(const Incident& r);

struct Example {
  const classify::Exit* exit;
  const correlate::SamplesSummary* samples;
  const CoreAttachment* core;
};
Example example_of(const FailureMode& m);

}  // namespace crashsift::report
