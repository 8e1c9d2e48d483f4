#include "crashsift/core/diag.hpp"

#include <algorithm>

namespace crashsift {

void InputReport::skip(std::uint64_t line, std::string reason) {
  ++skipped;
  if (first_skips.size() < max_listed_skips) first_skips.push_back({line, std::move(reason)});
}

void InputReport::damaged(std::string file, std::uint64_t entry, std::string what) {
  ++damage_count;
  if (damage.size() < max_listed_damage) damage.push_back({std::move(file), entry, std::move(what)});
}

void InputReport::saw_time(UsecUtc t) {
  if (!first_time || t < *first_time) first_time = t;
  if (!last_time || t > *last_time) last_time = t;
}

void InputReport::note(std::string text) {
  if (std::find(notes.begin(), notes.end(), text) == notes.end()) notes.push_back(std::move(text));
}

}  // namespace crashsift
