#include "crashsift/pipeline/core_attachment.hpp"

#include <cstdio>

#include "crashsift/symbolize/signature.hpp"

namespace crashsift::pipeline {

using report::CoreAttachment;

namespace {

std::string frame_text(const symbolize::FlatFrame& f) {
  std::string s = f.function.empty() ? "??" : symbolize::short_function_name(f.function);
  if (!f.module.empty()) {
    s += " (" + f.module;
    if (f.module_offset) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "+0x%llx", static_cast<unsigned long long>(*f.module_offset));
      s += buf;
    }
    s += ")";
  }
  return s;
}

std::string fault_text(const symbolize::Crash& c) {
  std::string s = c.si_code_name;
  if (c.fault_address) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s0x%llx", s.empty() ? "at " : " at ", static_cast<unsigned long long>(*c.fault_address));
    s += buf;
  }
  if (!c.fault_hint.empty()) s += " (" + c.fault_hint + ")";
  return s;
}

}  // namespace

CoreAttachment make_core_attachment(const symbolize::CoreReport& core, std::string source, std::string matched_by,
                                    size_t frames) {
  CoreAttachment a;
  a.source = std::move(source);
  a.path = core.path;
  a.matched_by = std::move(matched_by);
  a.signal = core.crash.signal_name;
  a.fault = fault_text(core.crash);
  a.signature = core.signature ? core.signature : symbolize::compute_signature(core);
  for (const auto& t : core.threads) {
    if (!t.crashing) continue;
    const auto& skip = symbolize::SkipList::builtin();
    for (const auto& f : symbolize::flatten(t)) {
      if (a.top_frames.empty() && skip.skips(f)) continue;  // signal trampolines, abort(), handlers
      a.top_frames.push_back(frame_text(f));
      if (a.top_frames.size() >= frames) break;
    }
    break;
  }
  return a;
}

}  // namespace crashsift::pipeline
