#include "crashsift/pipeline/watch_state.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "crashsift/core/json_writer.hpp"

namespace crashsift::pipeline {

namespace {

// Ids kept this long before the resume point too: an exit made from evidence read after the
// resume point (a late coredump entry) can carry an earlier exit time.
constexpr UsecUtc id_margin = 600 * usec_per_sec;

}  // namespace

UsecUtc watch_replay_span(UsecUtc settle) { return 3 * settle + 60 * usec_per_sec; }

void WatchState::note_written(const classify::Exit& x) {
  UsecUtc t = x.exited_at ? *x.exited_at : (position_ ? position_->time : 0);
  written_[classify::exit_id(x)] = t;
}

void WatchState::set_position(const LivePosition& p, UsecUtc replay) {
  position_ = p;
  replay_ = std::max(replay_, replay);
  const UsecUtc keep_from = p.time - replay_ - id_margin;
  std::erase_if(written_, [&](const auto& kv) { return kv.second < keep_from; });
}

std::optional<LivePosition> WatchState::resume_point(UsecUtc replay) const {
  if (!position_) return std::nullopt;
  LivePosition r = *position_;
  r.time -= std::max(replay, replay_);
  return r;
}

std::string WatchState::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return {};
    return "cannot read " + path + ": " + std::strerror(errno);
  }
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view schema;
  if (parser.parse(text).get(doc) || doc["schema"].get_string().get(schema) || schema != watch_state_schema)
    return path + " is not a crashsift watch state (" + watch_state_schema + ")";
  simdjson::dom::object pos;
  if (!doc["position"].get_object().get(pos)) {
    LivePosition p;
    std::int64_t t = 0;
    std::string_view cursor;
    if (pos["time_usec"].get_int64().get(t)) return path + ": the position has no time_usec";
    p.time = t;
    if (std::int64_t replay = 0; !pos["replay_usec"].get_int64().get(replay)) replay_ = replay;
    if (!pos["cursor"].get_string().get(cursor)) p.cursor = std::string(cursor);
    position_ = p;
  }
  simdjson::dom::array written;
  if (!doc["written"].get_array().get(written))
    for (auto w : written) {
      std::string_view id;
      std::int64_t t = 0;
      if (w["id"].get_string().get(id) || w["exited_at_usec"].get_int64().get(t)) continue;
      written_[std::string(id)] = t;
    }
  return {};
}

std::string WatchState::save(const std::string& path) const {
  JsonWriter w;
  w.begin_object().field("schema", watch_state_schema);
  w.key("position");
  if (position_) {
    w.begin_object()
        .field("time", format_rfc3339_utc(position_->time))
        .field("time_usec", static_cast<std::int64_t>(position_->time))
        .field_or_null("cursor", position_->cursor)
        .field("replay_usec", static_cast<std::int64_t>(replay_))
        .end_object();
  } else {
    w.null();
  }
  w.key("written").begin_array();
  for (const auto& [id, t] : written_)
    w.begin_object().field("id", id).field("exited_at_usec", static_cast<std::int64_t>(t)).end_object();
  w.end_array().end_object();
  std::string text = w.take();
  text += '\n';
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return "cannot write " + tmp + ": " + std::strerror(errno);
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0 &&
                  fsync(fileno(f)) == 0;
  const int err = errno;
  std::fclose(f);
  if (!ok) return "cannot write " + tmp + ": " + std::strerror(err);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return "cannot rename " + tmp + " to " + path + ": " + std::strerror(errno);
  return {};
}

}  // namespace crashsift::pipeline
