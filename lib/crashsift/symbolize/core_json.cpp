#include "crashsift/symbolize/core_json.hpp"

#include <simdjson.h>

#include <cinttypes>
#include <cstdio>

namespace crashsift::symbolize {

std::string hex_address(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
  return buf;
}

std::string hex_offset(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

const char* trust_name(Trust t) {
  switch (t) {
    case Trust::context: return "context";
    case Trust::cfi: return "cfi";
    case Trust::frame_pointer: return "frame-pointer";
    case Trust::scan: return "scan";
    case Trust::journal: return "journal";
    case Trust::unknown: break;
  }
  return "unknown";
}

Trust trust_from_name(std::string_view n) {
  for (Trust t : {Trust::context, Trust::cfi, Trust::frame_pointer, Trust::scan, Trust::journal})
    if (n == trust_name(t)) return t;
  return Trust::unknown;
}

namespace {

// --- writing ---------------------------------------------------------------------------

template <typename T>
void opt_num(JsonWriter& w, std::string_view k, const std::optional<T>& v) {
  w.key(k);
  if (v) w.value(*v);
  else w.null();
}

void opt_addr(JsonWriter& w, std::string_view k, const std::optional<std::uint64_t>& v, bool full) {
  w.key(k);
  if (v) w.value(full ? hex_address(*v) : hex_offset(*v));
  else w.null();
}

void write_crash(const Crash& c, JsonWriter& w) {
  w.key("crash").begin_object();
  opt_num(w, "signal", c.signal);
  w.field_or_null("signal_name", c.signal_name);
  opt_num(w, "si_code", c.si_code);
  w.field_or_null("si_code_name", c.si_code_name);
  opt_addr(w, "fault_address", c.fault_address, true);
  w.field_or_null("fault_hint", c.fault_hint);
  opt_num(w, "sender_pid", c.sender_pid);
  opt_num(w, "pid", c.pid);
  opt_num(w, "crashing_tid", c.crashing_tid);
  opt_num(w, "uid", c.uid);
  w.field_or_null("comm", c.comm);
  w.field_or_null("cmdline", c.cmdline);
  w.field_or_null("exe", c.exe);
  w.field_or_null("arch", c.arch);
  opt_num(w, "uptime_sec", c.uptime_sec);
  opt_num(w, "time_usec", c.time_usec);
  w.field_or_null("time_source", c.time_source);
  w.end_object();
}

void write_location(JsonWriter& w, const std::string& file, std::optional<std::uint32_t> line,
                    std::optional<std::uint32_t> column) {
  w.field_or_null("file", file);
  opt_num(w, "line", line);
  opt_num(w, "column", column);
}

void write_frame(const Frame& f, JsonWriter& w) {
  w.begin_object();
  w.field("index", f.index);
  w.field("pc", hex_address(f.pc));
  w.field_or_null("module", f.module);
  opt_addr(w, "module_offset", f.module_offset, false);
  w.field_or_null("function", f.function);
  write_location(w, f.file, f.line, f.column);
  w.field("trust", trust_name(f.trust));
  w.field("activation", f.activation);
  w.key("inlined").begin_array();
  for (const auto& i : f.inlined) {
    w.begin_object();
    w.field_or_null("function", i.function);
    write_location(w, i.file, i.line, i.column);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_threads(const std::vector<Thread>& threads, JsonWriter& w) {
  w.key("threads").begin_array();
  for (const auto& t : threads) {
    w.begin_object();
    w.field("tid", t.tid);
    w.field("crashing", t.crashing);
    w.field("truncated", t.truncated);
    w.field_or_null("error", t.error);
    w.key("frames").begin_array();
    for (const auto& f : t.frames) write_frame(f, w);
    w.end_array();
    w.end_object();
  }
  w.end_array();
}

void write_modules(const std::vector<Module>& modules, JsonWriter& w) {
  w.key("modules").begin_array();
  for (const auto& m : modules) {
    w.begin_object();
    w.field_or_null("name", m.name);
    w.field_or_null("build_id", m.build_id);
    w.field("load_address", hex_address(m.load_address));
    w.field("end_address", hex_address(m.end_address));
    w.field_or_null("elf_path", m.elf_path);
    w.field_or_null("found_by", m.found_by);
    w.field_or_null("symbols", m.symbols);
    w.field_or_null("debuginfo", m.debuginfo);
    w.field_or_null("debuginfo_path", m.debuginfo_path);
    w.field_or_null("debuginfo_found_by", m.debuginfo_found_by);
    w.end_object();
  }
  w.end_array();
}

void write_rest(const CoreReport& r, JsonWriter& w) {
  w.key("limits").begin_object();
  w.field("max_threads", r.limits.max_threads);
  w.field("max_frames", r.limits.max_frames);
  w.field("threads_total", r.limits.threads_total);
  w.field("threads_truncated", r.limits.threads_truncated);
  w.end_object();
  w.key("warnings").begin_array();
  for (const auto& x : r.warnings) w.begin_object().field("code", x.code).field("message", x.message).end_object();
  w.end_array();
}

}  // namespace

void to_json(const CoreReport& r, JsonWriter& w) {
  w.begin_object();
  w.field("schema", core_schema);
  w.field("source", r.source);
  w.field_or_null("path", r.path);
  w.field_or_null("compression", r.compression);
  opt_num(w, "file_size", r.file_size);
  opt_num(w, "apparent_size", r.apparent_size);
  w.field_or_null("backend", r.backend);
  w.field("complete", r.complete);
  write_crash(r.crash, w);
  w.key("signature");
  if (r.signature)
    w.begin_object().field("hash", r.signature->hash).field("text", r.signature->text)
        .field("symbolized", r.signature->symbolized).end_object();
  else
    w.null();
  write_threads(r.threads, w);
  write_modules(r.modules, w);
  write_rest(r, w);
  w.end_object();
}

std::string to_json_string(const CoreReport& report, bool pretty) {
  JsonWriter w(pretty);
  to_json(report, w);
  return w.take();
}

// --- reading ---------------------------------------------------------------------------

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Reads fields leniently: null or absent leaves the default. A wrong type is an error.
class Reader {
 public:
  explicit Reader(object o) : o_(o) {}
  void str(const char* k, std::string& out) {
    element e;
    if (o_[k].get(e) != simdjson::SUCCESS || e.is_null()) return;
    std::string_view s;
    if (e.get(s) != simdjson::SUCCESS) return fail(k);
    out = std::string(s);
  }
  template <typename T>
  void num(const char* k, std::optional<T>& out) {
    element e;
    if (o_[k].get(e) != simdjson::SUCCESS || e.is_null()) return;
    if constexpr (std::is_floating_point_v<T>) {
      double d;
      if (e.get(d) != simdjson::SUCCESS) return fail(k);
      out = static_cast<T>(d);
    } else if constexpr (std::is_signed_v<T>) {
      std::int64_t v;
      if (e.get(v) != simdjson::SUCCESS) return fail(k);
      out = static_cast<T>(v);
    } else {
      std::uint64_t v;
      if (e.get(v) != simdjson::SUCCESS) return fail(k);
      out = static_cast<T>(v);
    }
  }
  template <typename T>
  void num(const char* k, T& out) {
    std::optional<T> v;
    num(k, v);
    if (v) out = *v;
  }
  void flag(const char* k, bool& out) {
    element e;
    if (o_[k].get(e) != simdjson::SUCCESS || e.is_null()) return;
    if (e.get(out) != simdjson::SUCCESS) fail(k);
  }
  void hex(const char* k, std::optional<std::uint64_t>& out) {
    std::string s;
    str(k, s);
    if (s.empty()) return;
    if (s.rfind("0x", 0) != 0 || s.size() > 18) return fail(k);
    out = std::stoull(s.substr(2), nullptr, 16);
  }
  void hex(const char* k, std::uint64_t& out) {
    std::optional<std::uint64_t> v;
    hex(k, v);
    if (v) out = *v;
  }
  bool array(const char* k, simdjson::dom::array& out) {
    element e;
    if (o_[k].get(e) != simdjson::SUCCESS || e.is_null()) return false;
    if (e.get(out) != simdjson::SUCCESS) return fail(k), false;
    return true;
  }
  bool sub(const char* k, object& out) {
    element e;
    if (o_[k].get(e) != simdjson::SUCCESS || e.is_null()) return false;
    if (e.get(out) != simdjson::SUCCESS) return fail(k), false;
    return true;
  }
  std::string error;

 private:
  void fail(const char* k) {
    if (error.empty()) error = std::string("field '") + k + "' has the wrong type";
  }
  object o_;
};

// Every nested reader reports its first error into `err`.
void note(std::string& err, const Reader& r) {
  if (err.empty()) err = r.error;
}

Crash read_crash(object o, std::string& err) {
  Reader r(o);
  Crash c;
  r.num("signal", c.signal);
  r.str("signal_name", c.signal_name);
  r.num("si_code", c.si_code);
  r.str("si_code_name", c.si_code_name);
  r.hex("fault_address", c.fault_address);
  r.str("fault_hint", c.fault_hint);
  r.num("sender_pid", c.sender_pid);
  r.num("pid", c.pid);
  r.num("crashing_tid", c.crashing_tid);
  r.num("uid", c.uid);
  r.str("comm", c.comm);
  r.str("cmdline", c.cmdline);
  r.str("exe", c.exe);
  r.str("arch", c.arch);
  r.num("uptime_sec", c.uptime_sec);
  r.num("time_usec", c.time_usec);
  r.str("time_source", c.time_source);
  note(err, r);
  return c;
}

template <typename T>
void read_location(Reader& r, T& x) {
  r.str("file", x.file);
  r.num("line", x.line);
  r.num("column", x.column);
}

Frame read_frame(object o, std::string& err) {
  Reader r(o);
  Frame f;
  r.num("index", f.index);
  r.hex("pc", f.pc);
  r.str("module", f.module);
  r.hex("module_offset", f.module_offset);
  r.str("function", f.function);
  read_location(r, f);
  std::string trust;
  r.str("trust", trust);
  f.trust = trust_from_name(trust);
  r.flag("activation", f.activation);
  simdjson::dom::array inl;
  if (r.array("inlined", inl))
    for (element e : inl) {
      object io;
      if (e.get(io) != simdjson::SUCCESS) continue;
      Reader ir(io);
      InlineFrame i;
      ir.str("function", i.function);
      read_location(ir, i);
      note(err, ir);
      f.inlined.push_back(std::move(i));
    }
  note(err, r);
  return f;
}

Thread read_thread(object o, std::string& err) {
  Reader r(o);
  Thread t;
  r.num("tid", t.tid);
  r.flag("crashing", t.crashing);
  r.flag("truncated", t.truncated);
  r.str("error", t.error);
  simdjson::dom::array frames;
  if (r.array("frames", frames))
    for (element e : frames) {
      object fo;
      if (e.get(fo) == simdjson::SUCCESS) t.frames.push_back(read_frame(fo, err));
    }
  note(err, r);
  return t;
}

Module read_module(object o, std::string& err) {
  Reader r(o);
  Module m;
  r.str("name", m.name);
  r.str("build_id", m.build_id);
  r.hex("load_address", m.load_address);
  r.hex("end_address", m.end_address);
  r.str("elf_path", m.elf_path);
  r.str("found_by", m.found_by);
  r.str("symbols", m.symbols);
  r.str("debuginfo", m.debuginfo);
  r.str("debuginfo_path", m.debuginfo_path);
  r.str("debuginfo_found_by", m.debuginfo_found_by);
  note(err, r);
  return m;
}

void read_lists(Reader& r, CoreReport& rep, std::string& err) {
  simdjson::dom::array arr;
  if (r.array("threads", arr))
    for (element e : arr) {
      object o;
      if (e.get(o) == simdjson::SUCCESS) rep.threads.push_back(read_thread(o, err));
    }
  if (r.array("modules", arr))
    for (element e : arr) {
      object o;
      if (e.get(o) == simdjson::SUCCESS) rep.modules.push_back(read_module(o, err));
    }
  if (r.array("warnings", arr))
    for (element e : arr) {
      object o;
      if (e.get(o) != simdjson::SUCCESS) continue;
      Reader wr(o);
      Warning w;
      wr.str("code", w.code);
      wr.str("message", w.message);
      rep.warnings.push_back(std::move(w));
    }
}

void read_extras(Reader& r, CoreReport& rep, std::string& err) {
  object o;
  if (r.sub("crash", o)) rep.crash = read_crash(o, err);
  if (r.sub("signature", o)) {
    Reader sr(o);
    Signature s;
    sr.str("hash", s.hash);
    sr.str("text", s.text);
    sr.flag("symbolized", s.symbolized);
    note(err, sr);
    rep.signature = s;
  }
  if (r.sub("limits", o)) {
    Reader lr(o);
    lr.num("max_threads", rep.limits.max_threads);
    lr.num("max_frames", rep.limits.max_frames);
    lr.num("threads_total", rep.limits.threads_total);
    lr.flag("threads_truncated", rep.limits.threads_truncated);
    note(err, lr);
  }
}

}  // namespace

Result<CoreReport> core_report_from_json(std::string_view json) {
  try {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    element root;
    if (auto e = parser.parse(padded).get(root)) return make_error(simdjson::error_message(e));
    object o;
    if (root.get(o) != simdjson::SUCCESS) return make_error("not a JSON object");
    Reader r(o);
    std::string schema;
    r.str("schema", schema);
    if (schema != core_schema) return make_error("schema is '" + schema + "', expected " + core_schema);
    CoreReport rep;
    std::string err;
    r.str("source", rep.source);
    r.str("path", rep.path);
    r.str("compression", rep.compression);
    r.num("file_size", rep.file_size);
    r.num("apparent_size", rep.apparent_size);
    r.str("backend", rep.backend);
    r.flag("complete", rep.complete);
    read_extras(r, rep, err);
    read_lists(r, rep, err);
    note(err, r);
    if (!err.empty()) return make_error(err);
    return rep;
  } catch (const std::exception& e) {
    return make_error(std::string("bad core JSON: ") + e.what());
  }
}

}  // namespace crashsift::symbolize
