#pragma once
// A compact binary form of Event, for events that cross a pipe from an isolated reader child
// (native journals are read by libsystemd in a forked child: a corrupt file may abort it).
// Only the members that are set are written; encoding appends to a caller's buffer so that a
// batch of events is one write. Not a file format: both ends are the same binary.
#include <cstring>
#include <string>
#include <string_view>

#include "crashsift/core/event.hpp"

namespace crashsift {

// Appends one event to out.
void encode_event(const Event& e, std::string& out);

// Decodes the event at the front of in into e (cleared first) and advances in past it.
// False when in does not start with a whole, well-formed event (in is left unchanged).
bool decode_event(std::string_view& in, Event& e);

// A fixed-size value in host byte order, for the frames around events.
template <class T>
void wire_put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
// Takes one such value from the front of in; false when in is too short.
template <class T>
bool wire_take(std::string_view& in, T& v) {
  if (in.size() < sizeof v) return false;
  std::memcpy(&v, in.data(), sizeof v);
  in.remove_prefix(sizeof v);
  return true;
}

}  // namespace crashsift
