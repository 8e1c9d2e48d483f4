#pragma once
// The samples block of an exit (the app's telemetry before it) for people and for JSON: the
// writers of correlate::SamplesSummary, which correlate computes.
#include <optional>
#include <string>

#include "crashsift/core/json_writer.hpp"
#include "crashsift/correlate/window.hpp"

namespace crashsift::report {

// The "samples" value of crashsift/exit/1 (null when no app log covers the exit).
void write_samples_json(const std::optional<correlate::SamplesSummary>& s, JsonWriter& w);
// "rss 116 MiB 12 s before, 4 activeConversations, window peak 2.5 GiB".
std::string format_samples_line(const correlate::SamplesSummary& s);

}  // namespace crashsift::report
