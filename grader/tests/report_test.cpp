// The reports: Gradescope's fields, behaviour ids, escaping.
#include "report.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace grader {
namespace {

GradeResult sample() {
  GradeResult result;
  result.isolation = "none";
  LabResult lab;
  lab.lab = "01-fifo";
  lab.max_score = 2;
  lab.score = 1;
  lab.tests.push_back({{"FifoIo.B1_10_A", Binary::public_tests, 1, "visible", {}}, Status::passed, 1, "", 0.1});
  lab.tests.push_back(
      {{"FifoIo.B1_11_B", Binary::hidden_tests, 1, "after_due_date", {}}, Status::failed, 0, "<bad> & \x01", 0.2});
  result.labs.push_back(lab);
  result.score = 1;
  result.max_score = 2;
  return result;
}

TEST(Report, BehaviourIdsComeFromTestNames) {
  EXPECT_EQ(behaviour_id("FifoIo.B1_14_SendMessage"), "B1.14");
  EXPECT_EQ(behaviour_id("FifoIo.NoId"), "");
}

TEST(Report, GradescopeHasEveryField) {
  auto doc = nlohmann::json::parse(gradescope_json(sample()));
  EXPECT_EQ(doc["score"], 1);
  EXPECT_EQ(doc["max_score"], 2);
  EXPECT_EQ(doc["stdout_visibility"], "hidden");
  ASSERT_EQ(doc["tests"].size(), 2u);
  EXPECT_EQ(doc["tests"][1]["status"], "failed");
  EXPECT_EQ(doc["tests"][1]["visibility"], "after_due_date");
  for (const char* key : {"name", "number", "score", "max_score", "output"}) {
    EXPECT_TRUE(doc["tests"][0].contains(key)) << key;
  }
}

TEST(Report, JunitEscapesMessages) {
  std::string xml = junit_xml(sample());
  EXPECT_NE(xml.find("&lt;bad&gt; &amp; ?"), std::string::npos);
  EXPECT_NE(xml.find("failures=\"1\""), std::string::npos);
}

}  // namespace
}  // namespace grader
