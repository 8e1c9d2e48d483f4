#pragma once
// One input path of `exits`, `report` and `timeline` read to Events, whatever it holds: any
// text form (detected from its first bytes, or --input-format), compressed or not, a native
// .journal (plain, compressed or on stdin: spilled to an unnamed temporary file first), or a
// directory of journals. Nothing here classifies: the caller's sink gets the events.
#include <functional>
#include <string>
#include <vector>

#include "crashsift/core/diag.hpp"
#include "crashsift/core/event.hpp"
#include "crashsift/input/byte_source.hpp"
#include "crashsift/input/parser.hpp"

namespace crashsift::pipeline {

struct InputReadSettings {
  std::string input_format = "auto";   // --input-format
  input::ParseOptions parse;           // input_index and reference_time already set
  std::vector<std::string> units;      // exact unit names, pushed down into native index reads
  input::IdleHook idle;                // a live input: what to do while it is quiet
  bool live = false;                   // the format is told from what the first line brings
  // "reading big.json: 1.2 GB of 4.0 GB" for inputs over ~100 MB; may be empty.
  std::function<void(const std::string&)> progress;
};

struct InputReadSink {
  // Before the first event, once the input is known to be readable: whether its form names
  // processes (every form but `-o cat`).
  std::function<void(bool form_has_pids)> begin;
  EventSink event;
};

// Reads the input through; an input that cannot be read is a report with `fatal` set (begin
// is then never called).
InputReport read_input(const std::string& path, const InputReadSettings& settings, const InputReadSink& to);

}  // namespace crashsift::pipeline
