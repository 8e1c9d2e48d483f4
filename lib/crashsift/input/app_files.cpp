#include "crashsift/input/app_files.hpp"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "crashsift/core/text.hpp"

namespace crashsift::input {

namespace {

bool is_file(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

bool has_glob_chars(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

std::string_view strip_compression(std::string_view s) {
  for (std::string_view ext : {".gz", ".zst", ".xz", ".lz4", ".bz2"})
    if (ends_with(s, ext)) return s.substr(0, s.size() - ext.size());
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

void split_unit_prefix(std::string_view arg, std::string& unit, std::string& path) {
  unit.clear();
  path.assign(arg);
  const size_t eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0) return;
  const std::string_view u = arg.substr(0, eq);
  if (u.find('/') != std::string_view::npos || is_file(std::string(arg))) return;
  unit.assign(u);
  path.assign(arg.substr(eq + 1));
}

long rotation_age(std::string_view path, std::string& base) {
  std::string_view s = strip_compression(path);
  // app.ndjson.3  /  app.ndjson-20260628  /  app.ndjson.2026-06-28
  const size_t dot = s.find_last_of(".-");
  if (dot != std::string_view::npos && dot + 1 < s.size()) {
    std::string_view tail = s.substr(dot + 1);
    if (all_digits(tail) && tail.size() <= 4) {
      base.assign(s.substr(0, dot));
      return std::stol(std::string(tail));
    }
    std::string digits;
    for (char c : tail)
      if (c != '-') digits += c;
    if (all_digits(digits) && digits.size() == 8) {
      base.assign(s.substr(0, dot));
      return 100000000L - std::stol(digits);  // older date => larger age
    }
  }
  base.assign(s);
  return 0;
}

std::vector<std::string> order_rotated(const std::vector<std::string>& paths) {
  struct Item {
    size_t set;
    long age;
    std::string path;
  };
  std::map<std::string, size_t> set_index;
  std::vector<Item> items;
  for (const auto& p : paths) {
    std::string base;
    const long age = rotation_age(p, base);
    const size_t set = set_index.emplace(base, set_index.size()).first->second;
    items.push_back({set, age, p});
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.set != b.set ? a.set < b.set : a.age > b.age;
  });
  std::vector<std::string> out;
  for (auto& i : items)
    if (out.empty() || std::find(out.begin(), out.end(), i.path) == out.end()) out.push_back(i.path);
  return out;
}

static Result<std::vector<std::string>> expand_one(const std::string& path) {
  if (path == "-") return std::vector<std::string>{path};
  if (!has_glob_chars(path) || is_file(path)) {
    if (!is_file(path)) return make_error("failed to open app log " + path + ": no such file");
    return std::vector<std::string>{path};
  }
  glob_t g{};
  std::vector<std::string> out;
  if (::glob(path.c_str(), 0, nullptr, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; ++i)
      if (is_file(g.gl_pathv[i])) out.emplace_back(g.gl_pathv[i]);
  globfree(&g);
  if (out.empty()) return make_error("no app log matches " + path);
  return out;
}

// A rotated sibling that exists but was not named: worth a note, not an error.
static void note_missing_siblings(AppInputSpec& spec) {
  for (const auto& f : std::vector<std::string>(spec.files)) {
    std::string base;
    if (rotation_age(f, base) != 0 || f == "-") continue;
    for (std::string sib : {f + ".1", f + ".1.gz", f + ".1.zst"})
      if (is_file(sib) && std::find(spec.files.begin(), spec.files.end(), sib) == spec.files.end())
        spec.notes.push_back(sib + " exists beside " + f + " but was not given (add it, or use a glob: '" +
                             f + "*')");
  }
}

Result<std::vector<AppInputSpec>> expand_app_inputs(const std::vector<std::string>& args) {
  std::vector<AppInputSpec> specs;
  for (const auto& a : args) {
    std::string unit, path;
    split_unit_prefix(a, unit, path);
    auto files = expand_one(path);
    if (!files) return make_error(files.error());
    auto it = std::find_if(specs.begin(), specs.end(), [&](const AppInputSpec& s) { return s.unit == unit; });
    if (it == specs.end()) it = specs.insert(specs.end(), AppInputSpec{unit, {}, {}});
    it->files.insert(it->files.end(), files->begin(), files->end());
  }
  for (auto& s : specs) {
    s.files = order_rotated(s.files);
    note_missing_siblings(s);
  }
  return specs;
}

}  // namespace crashsift::input
