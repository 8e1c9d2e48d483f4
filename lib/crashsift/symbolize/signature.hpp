#pragma once
// Crash signatures: a short stable hash plus a readable form built from the top frames of the
// crashing thread, so the same bug groups across occurrences and builds. The skip list is the
// data file signature_skip.txt next to this header (compiled in; syntax documented there).
//
// Rules: frames are flattened (inlined functions count), the top frames matching the skip list
// are dropped, then the first `depth` (3) frames are used. Named frames give a build-independent
// signature ("SIGSEGV: a < b < c", names without parameter lists). An unnamed frame reads
// module+offset (signature.symbolized = false: it only groups crashes of one build), or "??"
// without a module. No frames, or only "??" frames: no signature (never group by signal alone).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/symbolize/backtrace.hpp"

namespace crashsift::symbolize {

struct FlatFrame {
  std::string function;  // demangled, empty when unknown
  std::string module;
  std::optional<std::uint64_t> module_offset;
};

// Innermost first, inlined functions as their own entries.
std::vector<FlatFrame> flatten(const Thread& thread);

class SkipList {
 public:
  static const SkipList& builtin();
  static SkipList parse(std::string_view text);
  bool skips(const FlatFrame& f) const;
  size_t size() const { return names_.size() + prefixes_.size() + modules_.size(); }

 private:
  std::vector<std::string> names_, prefixes_, modules_;
};

std::optional<Signature> compute_signature(const CoreReport& report, size_t depth = 3,
                                           const SkipList& skip = SkipList::builtin());

// "ns::Class::method" from "ret ns::Class::method(args) const [clone .part.0]": the readable
// form used in signatures and matched (besides the full name) against the skip list.
std::string short_function_name(std::string_view demangled);

// 12 hex digits of FNV-1a 64: stable across platforms and releases.
std::string short_hash(std::string_view text);

}  // namespace crashsift::symbolize
