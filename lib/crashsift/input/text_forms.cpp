#include <cctype>
#include "crashsift/input/text_forms.hpp"

#include <cstring>

#include "crashsift/core/text.hpp"

namespace crashsift::input::text {

std::string_view chomp_cr(std::string_view s) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

size_t leading_spaces(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i;
}

bool is_blank(std::string_view s) { return leading_spaces(s) == s.size(); }

bool digits(std::string_view s, size_t& i, size_t n, int& out) {
  if (i + n > s.size()) return false;
  int v = 0;
  for (size_t k = 0; k < n; ++k) {
    if (!is_digit(s[i + k])) return false;
    v = v * 10 + (s[i + k] - '0');
  }
  i += n;
  out = v;
  return true;
}

bool some_digits(std::string_view s, size_t& i, size_t max_n, std::uint64_t& out) {
  std::uint64_t v = 0;
  size_t n = 0;
  while (i + n < s.size() && is_digit(s[i + n]) && n < max_n) v = v * 10 + static_cast<unsigned>(s[i + n++] - '0');
  if (n == 0 || (i + n < s.size() && is_digit(s[i + n]))) return false;
  i += n;
  out = v;
  return true;
}

bool clock(std::string_view s, size_t& i, CivilTime& c, bool& has_fraction) {
  size_t j = i;
  if (!digits(s, j, 2, c.hour) || j >= s.size() || s[j++] != ':' || !digits(s, j, 2, c.minute) ||
      j >= s.size() || s[j++] != ':' || !digits(s, j, 2, c.second))
    return false;
  if (c.hour > 23 || c.minute > 59 || c.second > 60) return false;
  c.usec = 0;
  has_fraction = false;
  if (j < s.size() && s[j] == '.' && j + 1 < s.size() && is_digit(s[j + 1])) {
    ++j;
    int scale = 100000, n = 0;
    while (j < s.size() && is_digit(s[j])) {
      if (n < 6) c.usec += (s[j] - '0') * scale, scale /= 10;
      ++n, ++j;
    }
    if (n > 9) return false;
    has_fraction = true;
  }
  i = j;
  return true;
}

namespace {

struct MonthName {
  std::string_view name;
  int month;
};

// Lowercase `%b` abbreviations (glibc locales), without a trailing dot. English first: it is
// by far the most common, and the lookup stops at the first hit.
constexpr MonthName month_names[] = {
    {"jan", 1}, {"feb", 2}, {"mar", 3}, {"apr", 4}, {"may", 5}, {"jun", 6},
    {"jul", 7}, {"aug", 8}, {"sep", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12},
    {"sept", 9},
    // German (de_DE: "Dez", "Mär", "Okt"; older "Mrz"; Austrian "Jän")
    {"mär", 3}, {"mrz", 3}, {"mai", 5}, {"okt", 10}, {"dez", 12}, {"jän", 1},
    // Spanish (es_ES: "ene", "abr", "ago", "dic")
    {"ene", 1}, {"abr", 4}, {"ago", 8}, {"dic", 12},
    // French (fr_FR: "janv.", "févr.", "mars", "avr.", "juin", "juil.", "août", "déc.")
    {"janv", 1}, {"févr", 2}, {"fév", 2}, {"mars", 3}, {"avr", 4}, {"juin", 6}, {"juil", 7},
    {"août", 8}, {"aoû", 8}, {"déc", 12},
    // Italian (it_IT: "gen", "mag", "giu", "lug", "set", "ott")
    {"gen", 1}, {"mag", 5}, {"giu", 6}, {"lug", 7}, {"set", 9}, {"ott", 10},
    // Portuguese (pt_BR/pt_PT: "fev", "out", "dez")
    {"fev", 2}, {"out", 10},
    // Dutch (nl_NL: "mrt", "mei")
    {"mrt", 3}, {"mei", 5},
    // Polish (pl_PL: "sty", "lut", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru")
    {"sty", 1}, {"lut", 2}, {"kwi", 4}, {"maj", 5}, {"cze", 6}, {"lip", 7}, {"sie", 8},
    {"wrz", 9}, {"paź", 10}, {"lis", 11}, {"gru", 12},
    // Czech (cs_CZ)
    {"led", 1}, {"úno", 2}, {"bře", 3}, {"dub", 4}, {"kvě", 5}, {"čvn", 6}, {"čvc", 7},
    {"srp", 8}, {"zář", 9}, {"říj", 10}, {"pro", 12},
    // Turkish (tr_TR)
    {"oca", 1}, {"şub", 2}, {"nis", 4}, {"haz", 6}, {"tem", 7}, {"ağu", 8}, {"eyl", 9},
    {"eki", 10}, {"kas", 11}, {"ara", 12},
    // Russian (ru_RU, lowercase and capitalized)
    {"янв", 1}, {"фев", 2}, {"мар", 3}, {"апр", 4}, {"мая", 5}, {"май", 5}, {"июн", 6},
    {"июл", 7}, {"авг", 8}, {"сен", 9}, {"окт", 10}, {"ноя", 11}, {"дек", 12},
    {"Янв", 1}, {"Фев", 2}, {"Мар", 3}, {"Апр", 4}, {"Мая", 5}, {"Май", 5}, {"Июн", 6},
    {"Июл", 7}, {"Авг", 8}, {"Сен", 9}, {"Окт", 10}, {"Ноя", 11}, {"Дек", 12},
    // Capitalized accented forms whose first letter is not ASCII
    {"Úno", 2}, {"Čvn", 6}, {"Čvc", 7}, {"Zář", 9}, {"Říj", 10}, {"Şub", 2},
    {"Paź", 10}, {"Ağu", 8},
    // Swedish/Danish/Norwegian use "maj"/"okt" (above); Finnish month names are too long for
    // `%b` confusion and are left out.
};

}  // namespace

int month_from_name(std::string_view token) {
  if (!token.empty() && token.back() == '.') token.remove_suffix(1);
  // Korean "9월" / Japanese and Chinese "9月": the month as digits with a suffix.
  for (std::string_view suffix : {std::string_view("\xec\x9b\x94"), std::string_view("\xe6\x9c\x88")}) {
    if (ends_with(token, suffix)) {
      std::string_view num = token.substr(0, token.size() - suffix.size());
      size_t i = 0;
      std::uint64_t m = 0;
      if (!some_digits(num, i, 2, m) || i != num.size() || m < 1 || m > 12) return 0;
      return static_cast<int>(m);
    }
  }
  if (token.size() < 3 || token.size() > 8) return 0;
  char buf[8];
  for (size_t k = 0; k < token.size(); ++k) {
    const char c = token[k];
    buf[k] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view lower(buf, token.size());
  for (const auto& m : month_names)
    if (m.name == lower || m.name == token) return m.month;
  return 0;
}

bool valid_civil(const CivilTime& c) {
  return c.year >= 1970 && c.year <= 9999 && c.month >= 1 && c.month <= 12 && c.day >= 1 &&
         c.day <= 31 && c.hour >= 0 && c.hour <= 23 && c.minute >= 0 && c.minute <= 59 &&
         c.second >= 0 && c.second <= 60;
}

static std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

UsecUtc LocalClock::to_utc(const CivilTime& local) {
  const UsecUtc as_if_utc = usec_from_civil_utc(local);
  if (utc_) return as_if_utc;
  const std::int64_t hour = floor_div(as_if_utc, 3600 * usec_per_sec);
  if (hour != cached_hour_) {
    CivilTime top = local;
    top.minute = top.second = top.usec = 0;
    offset_usec_ = usec_from_civil_utc(top) - zone_.to_utc(top);
    cached_hour_ = hour;
  }
  return as_if_utc - offset_usec_;
}

CivilTime LocalClock::to_local(UsecUtc t) const {
  if (utc_) return civil_from_usec(t);
  return civil_from_usec(t + static_cast<UsecUtc>(zone_.offset_at(t)) * usec_per_sec);
}

std::string overlong_reason(std::uint64_t size, size_t max_line) {
  return "line of " + std::to_string(size) + " bytes is longer than the " +
         std::to_string(max_line) + "-byte line limit (--max-line)";
}

std::string overlong_check(const Line& line, size_t max_line) {
  if (line.overlong) return overlong_reason(line.overlong_size, max_line);
  if (line.text.size() > max_line) return overlong_reason(line.text.size(), max_line);
  return {};
}

bool looks_binary(std::string_view head) {
  size_t control = 0;
  for (char ch : head) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0) return true;
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b)
      ++control;
  }
  // A few stray control bytes happen in real text (journal messages that carried them);
  // more than one in fifty bytes is not text.
  return control * 50 > head.size();
}

bool HeadLines::next(std::string_view& line) {
  while (pos_ < head_.size()) {
    const size_t nl = head_.find('\n', pos_);
    if (nl == std::string_view::npos) {
      // The head may end mid-line; use that piece only when it is all there is.
      if (pos_ != 0) return pos_ = head_.size(), false;
      line = chomp_cr(head_);
      pos_ = head_.size();
      return !is_blank(line);
    }
    line = chomp_cr(head_.substr(pos_, nl - pos_));
    pos_ = nl + 1;
    if (!is_blank(line)) return true;
  }
  return false;
}

std::string_view strip_quote(std::string_view s) {
  while (!s.empty() && s.front() == '>') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  }
  return s;
}

namespace {

bool is_prompt(std::string_view t) {
  // "$ journalctl -u app", "# dmesg", "% coredumpctl list"
  if (t.size() >= 2 && (t[0] == '$' || t[0] == '#' || t[0] == '%') && t[1] == ' ') return true;
  if (t == "$" || t == "#") return true;
  // "[root@web1 ~]# journalctl -b", "[user@host app]$ ..."
  if (!t.empty() && t[0] == '[') {
    const size_t close = t.find(']');
    if (close != std::string_view::npos && close < 80 && close + 2 <= t.size() &&
        (t[close + 1] == '#' || t[close + 1] == '$') && t.substr(1, close).find('@') != std::string_view::npos)
      return true;
  }
  // "root@web1:~# journalctl -u app", "user@host:/srv$ ..."
  const size_t sp = t.find(' ');
  const std::string_view token = t.substr(0, sp);
  if (token.size() >= 3 && token.size() < 80 && (token.back() == '$' || token.back() == '#') &&
      token.find('@') != std::string_view::npos && token.find('[') == std::string_view::npos)
    return true;
  return false;
}

bool is_paste_marker(std::string_view t) {
  t = trim_right(t);
  if (starts_with(t, "```") || starts_with(t, "~~~")) return true;
  static constexpr std::string_view markers[] = {"...", "\xe2\x80\xa6", "(snip)", "[snip]", "<snip>",
                                                 "[...]", "[\xe2\x80\xa6]", "(...)", "---"};
  for (auto m : markers)
    if (t == m) return true;
  if (starts_with(t, "...") && t.find_first_not_of('.') == std::string_view::npos) return true;
  // less(1) status line and journalctl's own hint when it cut lines.
  if (starts_with(t, "lines ") && ends_with(t, "(END)")) return true;
  if (starts_with(t, "Hint: Some lines were ellipsized")) return true;
  return false;
}

bool is_status_line(std::string_view t) {
  // "● app.service - My App", "× app.service - ..." (v250+ failed), "○ ..." (inactive)
  static constexpr std::string_view bullets[] = {"\xe2\x97\x8f ", "\xc3\x97 ", "\xe2\x97\x8b ",
                                                 "\xe2\x86\xbb "};
  for (auto b : bullets)
    if (starts_with(t, b)) return true;
  // The right-aligned header fields: "     Active: failed (Result: oom-kill) since ..."
  static constexpr std::string_view labels[] = {
      "Loaded: ", "Active: ", "Main PID: ", "Tasks: ", "Memory: ", "CPU: ", "CGroup: ", "Docs: ",
      "Process: ", "Duration: ", "TriggeredBy: ", "Triggers: ", "Status: ", "Invocation: ",
      "Drop-In: ", "IO: ", "IP: ", "Mem peak: ", "Swap peak: "};
  for (auto l : labels)
    if (starts_with(t, l)) return true;
  // cgroup tree: "└─1234 /usr/bin/bun run server.ts", "├─..." and "│ ..."
  return starts_with(t, "\xe2\x94\x94\xe2\x94\x80") || starts_with(t, "\xe2\x94\x9c\xe2\x94\x80") ||
         starts_with(t, "\xe2\x94\x82");
}

}  // namespace

Decoration classify_decoration(std::string_view t) {
  if (t.empty()) return Decoration::none;
  switch (t[0]) {
    case '-':
      if (starts_with(t, "-- ") && (ends_with(trim_right(t), " --") || starts_with(t, "-- cursor:")))
        return Decoration::separator;
      break;
    case '\xe2':
      if (starts_with(t, "\xe2\x96\x91\xe2\x96\x91")) return Decoration::catalog;  // "░░"
      break;
    default:
      break;
  }
  if (is_paste_marker(t) || is_prompt(t)) return Decoration::paste;
  if (is_status_line(t)) return Decoration::status;
  return Decoration::none;
}

bool split_untimed_tag(std::string_view t, std::string_view& ident, std::int64_t& pid, std::string_view& message) {
  const size_t open = t.find('[');
  if (open == 0 || open == std::string_view::npos || open > 64) return false;
  for (size_t i = 0; i < open; ++i) {
    const char c = t[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '@' || c == '/'))
      return false;
  }
  const size_t close = t.find("]: ", open);
  if (close == std::string_view::npos || close - open > 12) return false;
  if (!parse_int64(t.substr(open + 1, close - open - 1), pid) || pid <= 0) return false;
  ident = t.substr(0, open);
  message = t.substr(close + 3);
  return true;
}

std::string_view strip_backticks(std::string_view s) {
  const std::string_view t = trim(s);
  if (t.size() >= 3 && t.front() == '`' && t.back() == '`' && t[1] != '`') return t.substr(1, t.size() - 2);
  return s;
}

std::optional<long> offset_of_zone_abbreviation(std::string_view z) { return zone_abbreviation_offset(z); }

}  // namespace crashsift::input::text
