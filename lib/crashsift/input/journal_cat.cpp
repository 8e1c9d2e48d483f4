// PLACEHOLDER: replaced by the real parser.
#include "crashsift/input/parser.hpp"

namespace crashsift::input {
namespace {
class Placeholder final : public FormatParser {
 public:
  std::string_view name() const override { return "cat"; }
  bool probe(std::string_view) const override { return false; }
  void parse(LineReader&, const ParseOptions&, InputReport& report, const EventSink&) const override {
    report.fatal = "format cat is not implemented yet";
  }
};
}  // namespace
const FormatParser& cat_format() {
  static const Placeholder p;
  return p;
}
}  // namespace crashsift::input
