// libFuzzer target for what a gatewayd host sends and what a fleet file holds: the follow
// source's entry framing (whole_export_entry, which decides what is handed to the parser when a
// connection breaks) and the --hosts parser. Framing is checked, not only run: entries found
// one after another never overrun the input, and framing a prefix finds no entry the whole
// input does not have at the same place.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crashsift/input/gatewayd.hpp"
#include "crashsift/input/gatewayd_follow.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t at = 0;
  while (at < bytes.size()) {
    std::string cursor;
    const size_t len = crashsift::input::whole_export_entry(bytes.substr(at), cursor);
    if (len == 0 || len == std::string_view::npos) break;
    if (len > bytes.size() - at) std::abort();
    // The same entry is found in any longer prefix and in none shorter than it.
    std::string again;
    if (crashsift::input::whole_export_entry(bytes.substr(at, len), again) != len) std::abort();
    if (len > 1 && crashsift::input::whole_export_entry(bytes.substr(at, len - 1), again) == len) std::abort();
    at += len;
  }
  auto hosts = crashsift::input::parse_hosts_list(bytes, "fuzz");
  if (hosts)
    for (const auto& h : *hosts)
      if (!crashsift::input::is_gatewayd_url(h.url) || h.url.find_first_of(" \t\r\n") != std::string::npos) std::abort();
  return 0;
}
