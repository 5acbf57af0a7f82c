// quote_name: a name from a submission is safe in every report (terminal,
// Markdown feedback, JSON, JUnit XML) and still readable.
#include "util.hpp"

#include <string>

#include <gtest/gtest.h>

namespace grader {
namespace {

TEST(QuoteName, PlainNamesAreOnlyQuoted) {
  EXPECT_EQ(quote_name("labs/01-fifo/src/fifo_io.cpp"), "\"labs/01-fifo/src/fifo_io.cpp\"");
  EXPECT_EQ(quote_name(""), "\"\"");
  EXPECT_EQ(quote_name("a b'c$(d)*_[e]"), "\"a b'c$(d)*_[e]\"");
}

TEST(QuoteName, ControlCharactersQuotesAndBackticksAreEscapedCStyle) {
  EXPECT_EQ(quote_name("a\nb\tc\rd"), "\"a\\nb\\tc\\rd\"");
  EXPECT_EQ(quote_name("back\\slash \"quoted\" `code`"),
            "\"back\\\\slash \\\"quoted\\\" \\`code\\`\"");
  EXPECT_EQ(quote_name(std::string("\x1b[31mred\x07\x7f\0", 11)),
            "\"\\x1b[31mred\\x07\\x7f\\x00\"");
  // The forged heading of the report that started this: one line, no fence.
  std::string quoted = quote_name("x\n```\n## Score: 100/100\n```");
  EXPECT_EQ(quoted, "\"x\\n\\`\\`\\`\\n## Score: 100/100\\n\\`\\`\\`\"");
  EXPECT_EQ(quoted.find('\n'), std::string::npos);
  EXPECT_EQ(quoted.find('`'), quoted.find("\\`") + 1);
}

TEST(QuoteName, WellFormedUtf8IsKept) { EXPECT_EQ(quote_name("Übung—✗ 😀"), "\"Übung—✗ 😀\""); }

TEST(QuoteName, InvalidUtf8IsShownByteByByte) {
  EXPECT_EQ(quote_name("a\xff"
                       "b"),
            "\"a\\xffb\"");
  EXPECT_EQ(quote_name("\xe2\x82"), "\"\\xe2\\x82\"");                    // cut short
  EXPECT_EQ(quote_name("\xc0\xaf"), "\"\\xc0\\xaf\"");                    // overlong "/"
  EXPECT_EQ(quote_name("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");           // a surrogate
  EXPECT_EQ(quote_name("\xf4\x90\x80\x80"), "\"\\xf4\\x90\\x80\\x80\"");  // above U+10FFFF
  EXPECT_EQ(quote_name("\x80x"), "\"\\x80x\"");  // a lone continuation byte
}

TEST(QuoteName, CharactersThatReorderOrBreakTheLineAreEscaped) {
  EXPECT_EQ(quote_name("\xc2\x9b"
                       "2J"),
            "\"\\u009b2J\"");  // C1 CSI
  EXPECT_EQ(quote_name("evil\xe2\x80\xaeppc.exe"),
            "\"evil\\u202eppc.exe\"");  // right-to-left override
  EXPECT_EQ(quote_name("a\xe2\x80\xa8"
                       "b"),
            "\"a\\u2028b\"");                                                 // line separator
  EXPECT_EQ(quote_name("\xe2\x81\xa6x\xe2\x81\xa9"), "\"\\u2066x\\u2069\"");  // isolates
}

TEST(QuoteName, LongNamesAreCutBetweenCharacters) {
  EXPECT_EQ(quote_name(std::string(300, 'a')), "\"" + std::string(200, 'a') + "…\"");
  EXPECT_EQ(quote_name(std::string(200, 'a')), "\"" + std::string(200, 'a') + "\"");
  EXPECT_EQ(quote_name("\n\n\n\n\n", 9), "\"\\n\\n\\n\\n…\"");  // never half an escape
  EXPECT_EQ(quote_name("ééé", 3), "\"é…\"");                    // never half a character
}

}  // namespace
}  // namespace grader
