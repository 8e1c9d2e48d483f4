#include "crashsift/symbolize/signature.hpp"

#include <cinttypes>
#include <cstdio>

namespace crashsift::symbolize {
namespace {

// The skip list, compiled in (see the first lines of the file for why it is a raw string).
constexpr const char builtin_skip_text[] =
#include "crashsift/symbolize/signature_skip.txt"
    ;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string short_function_name(std::string_view name) {
  // Drop a trailing " const", the trailing parameter list and " [clone .part.0]" suffixes.
  for (std::string_view suffix : {std::string_view(" [clone"), std::string_view(" const")}) {
    const size_t p = name.rfind(suffix);
    if (p != std::string_view::npos && (suffix == " [clone" || p + suffix.size() == name.size())) name = name.substr(0, p);
  }
  if (!name.empty() && name.back() == ')') {
    int depth = 0;
    for (size_t i = name.size(); i-- > 0;) {
      if (name[i] == ')') ++depth;
      else if (name[i] == '(' && --depth == 0) {
        if (i > 0) name = name.substr(0, i);  // "(anonymous namespace)" alone stays
        break;
      }
    }
  }
  // Drop a return type: the last space outside <...> and (...) separates it from the name.
  int angle = 0, paren = 0;
  for (size_t i = name.size(); i-- > 0;) {
    const char c = name[i];
    if (c == '>') ++angle;
    else if (c == '<') --angle;
    else if (c == ')') ++paren;
    else if (c == '(') --paren;
    else if (c == ' ' && angle == 0 && paren == 0) return std::string(name.substr(i + 1));
  }
  return std::string(name);
}

namespace {

bool matches(const std::string& pattern, std::string_view s) {
  if (!pattern.empty() && pattern.back() == '*')
    return s.substr(0, pattern.size() - 1) == std::string_view(pattern).substr(0, pattern.size() - 1);
  return s == pattern;
}

std::string frame_text(const FlatFrame& f, bool named) {
  if (named) return short_function_name(f.function);
  if (f.module.empty()) return "??";
  char off[24] = "?";
  if (f.module_offset) std::snprintf(off, sizeof off, "0x%" PRIx64, *f.module_offset);
  return f.module + "+" + off;
}

}  // namespace

std::vector<FlatFrame> flatten(const Thread& t) {
  std::vector<FlatFrame> out;
  for (const auto& f : t.frames) {
    for (const auto& i : f.inlined) out.push_back({i.function, f.module, f.module_offset});
    out.push_back({f.function, f.module, f.module_offset});
  }
  return out;
}

SkipList SkipList::parse(std::string_view text) {
  SkipList s;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line[0] == '#' || line.rfind("R\"", 0) == 0 || line.rfind(")skiplist", 0) == 0) continue;
    if (line.rfind("module:", 0) == 0) s.modules_.emplace_back(trim(line.substr(7)));
    else if (line.back() == '*') s.prefixes_.emplace_back(line);
    else s.names_.emplace_back(line);
  }
  return s;
}

const SkipList& SkipList::builtin() {
  static const SkipList list = parse(builtin_skip_text);
  return list;
}

bool SkipList::skips(const FlatFrame& f) const {
  if (f.function.empty()) {
    for (const auto& m : modules_)
      if (matches(m, f.module)) return true;
    return false;
  }
  const std::string short_name = short_function_name(f.function);
  for (const auto& n : names_)
    if (f.function == n || short_name == n) return true;
  for (const auto& p : prefixes_)
    if (matches(p, f.function) || matches(p, short_name)) return true;
  return false;
}

std::string short_hash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
  char buf[20];
  std::snprintf(buf, sizeof buf, "%012" PRIx64, h >> 16);
  return buf;
}

std::optional<Signature> compute_signature(const CoreReport& report, size_t depth, const SkipList& skip) {
  if (report.threads.empty() || !report.threads.front().crashing) return std::nullopt;
  const std::vector<FlatFrame> frames = flatten(report.threads.front());
  size_t first = 0;
  while (first < frames.size() && skip.skips(frames[first])) ++first;
  if (first == frames.size()) return std::nullopt;
  // The first `depth` frames below the skipped top. Unnamed frames read module+offset, which
  // is stable only within one build; frames with neither name nor module read "??".
  std::vector<const FlatFrame*> top;
  for (size_t i = first; i < frames.size() && top.size() < depth; ++i) top.push_back(&frames[i]);
  Signature sig;
  sig.symbolized = true;
  bool anything = false;
  std::string text = report.crash.signal_name.empty() ? "?" : report.crash.signal_name;
  text += ": ";
  for (size_t i = 0; i < top.size(); ++i) {
    const bool named = !top[i]->function.empty();
    sig.symbolized = sig.symbolized && named;
    anything = anything || named || !top[i]->module.empty();
    if (i) text += " < ";
    text += frame_text(*top[i], named);
  }
  if (!anything) return std::nullopt;  // "SIGSEGV: ?? < ??" would group by signal alone
  sig.text = text;
  sig.hash = short_hash(text);
  return sig;
}

}  // namespace crashsift::symbolize
