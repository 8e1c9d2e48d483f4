#include <algorithm>

#include "crashsift/input/parser.hpp"

namespace crashsift::input {

// Order matters: structured forms first (their probes are exact), then text forms whose
// probes look at timestamps, and `cat` last because any text is valid cat output.
const std::vector<const FormatParser*>& stream_formats() {
  static const std::vector<const FormatParser*> formats = {
      &export_format(), &json_format(), &verbose_format(), &kernel_format(), &short_format(),
      &cat_format()};
  return formats;
}

const FormatParser* find_format(std::string_view name) {
  if (name == "json-seq" || name == "json-sse" || name == "json-pretty") name = "json";
  if (name == "short-iso" || name == "short-iso-precise" || name == "short-precise" ||
      name == "short-unix" || name == "short-full" || name == "with-unit" || name == "short-monotonic")
    name = "short";
  if (name == "dmesg" || name == "kmsg") name = "kernel";
  for (const auto* f : stream_formats())
    if (f->name() == name) return f;
  return nullptr;
}

const FormatParser* detect_format(std::string_view head) {
  for (const auto* f : stream_formats())
    if (f->probe(head)) return f;
  return nullptr;
}

std::vector<std::string> format_names() {
  return {"auto", "journal", "export", "json", "json-seq", "verbose", "short", "short-iso",
          "short-iso-precise", "short-precise", "short-unix", "short-full", "with-unit",
          "kernel", "dmesg", "kmsg", "cat"};
}

}  // namespace crashsift::input
