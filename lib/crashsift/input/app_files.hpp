#pragma once
// Which files an `--app [UNIT=]FILE` argument names: the UNIT= prefix, glob expansion and the
// order of rotated sets. logrotate and most app loggers rotate app.ndjson -> app.ndjson.1 ->
// app.ndjson.2.gz (higher number = older), or append a date (app.ndjson-20260628, older date =
// older); both have to be read oldest first so that samples come out in time order.
#include <string>
#include <string_view>
#include <vector>

#include "crashsift/core/result.hpp"

namespace crashsift::input {

struct AppInputSpec {
  std::string unit;                 // from "UNIT=FILE"; empty when not given
  std::vector<std::string> files;   // oldest first
  std::vector<std::string> notes;   // "app.ndjson.1 exists beside app.ndjson but was not given"
};

// Splits "dispatch.service=/var/log/app.ndjson" into unit and path. A path that exists as a
// file is never split (file names may contain '=').
void split_unit_prefix(std::string_view arg, std::string& unit, std::string& path);

// Rotation rank of a file name within its set: 0 = current, N = .N, dates map to a large
// negative-of-date so older dates sort later. Returns the set's base name in `base`.
long rotation_age(std::string_view path, std::string& base);

// Sorts paths oldest first, keeping separate sets in the order they were first named.
std::vector<std::string> order_rotated(const std::vector<std::string>& paths);

// Expands every argument (UNIT= prefix, globs, rotation order). Arguments with the same UNIT
// are merged into one spec. Error when a glob matches nothing or a file does not exist.
Result<std::vector<AppInputSpec>> expand_app_inputs(const std::vector<std::string>& args);

}  // namespace crashsift::input
