#pragma once
// Feeds pasted text to one witness recognizer the two ways the input parsers deliver it: as
// `pasted` events with the indentation stripped (journal short form), and as message-only
// events with the line as written (`-o cat`).
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "crashsift/classify/witness.hpp"

namespace crashsift::classify {
std::unique_ptr<WitnessRecognizer> make_witness_systemctl_status();
std::unique_ptr<WitnessRecognizer> make_witness_coredumpctl();
std::unique_ptr<WitnessRecognizer> make_witness_coredump_text();
}  // namespace crashsift::classify

namespace crashsift::test {

enum class Feed { pasted, cat };

// A whole file (a real capture) as text.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline Event text_event(std::string_view line, Feed how, std::uint64_t number) {
  Event e;
  e.time_has_usec = false;
  e.origin.line = number;
  if (how == Feed::pasted) {
    e.pasted = true;
    line.remove_prefix(std::min(line.size(), line.find_first_not_of(' ')));
  }
  e.message.assign(line);
  return e;
}

// Every line of `text` (blank lines dropped, as both parsers drop them).
inline std::vector<classify::Witness> feed(classify::WitnessRecognizer& r, const std::string& text, Feed how,
                                           const std::vector<Event>& after = {}) {
  std::vector<classify::Witness> got;
  classify::WitnessSink sink = [&](classify::Witness&& w) { got.push_back(std::move(w)); };
  std::istringstream in(text);
  std::string line;
  std::uint64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \r") == std::string::npos) continue;
    r.on_event(text_event(line, how, n), sink);
  }
  for (const auto& e : after) r.on_event(e, sink);
  r.end_input(sink);
  return got;
}

inline UsecUtc utc(int y, int mo, int d, int h, int mi, int s) {
  return usec_from_civil_utc(CivilTime{y, mo, d, h, mi, s, 0});
}

}  // namespace crashsift::test
