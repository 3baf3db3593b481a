// deploy/runbooks/Set-AccessBotSetting.ps1 against the C++ side: the same operation allow-list
// (compared both ways), request fields that exist in the shared request fixture, the same header
// names and clock skew. PowerShell itself is not available here; its syntax is checked by
// tests/runbook/parse-check.sh (ctest runbook.parse_check).
#include "adapters/runbook/runbook_executor.hpp"
#include "adapters/runbook/signature.hpp"

#include "tests/unit/adapters_runbook/fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <set>

using namespace ab::adapters::runbook;

namespace {

std::string script() { return ab::test::source_file("deploy/runbooks/Set-AccessBotSetting.ps1"); }

// The text between the "# BEGIN OPERATIONS" and "# END OPERATIONS" comment lines.
std::string operations_block(const std::string& text)
{
    const auto begin = text.find("\n# BEGIN OPERATIONS\n");
    const auto end = text.find("\n# END OPERATIONS\n");
    if (begin == std::string::npos || end == std::string::npos || end < begin)
        return {};
    return text.substr(begin, end - begin);
}

std::set<std::string> matches(const std::string& text, const std::string& pattern)
{
    std::set<std::string> out;
    const std::regex re(pattern);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
        out.insert((*it)[1].str());
    return out;
}

} // namespace

TEST(RunbookScript, OperationAllowListMatchesTheExecutorBothWays)
{
    const std::string block = operations_block(script());
    ASSERT_FALSE(block.empty()) << "no # BEGIN OPERATIONS / # END OPERATIONS block";
    // Keys of the table: a quoted name at the start of a line, followed by = @{
    const auto in_script = matches(block, R"((?:^|\n)[ \t]*'([^']+)'[ \t]*=[ \t]*@\{)");
    std::set<std::string> in_cpp;
    for (auto op : runbook_operations())
        in_cpp.insert(std::string(op));
    for (const auto& op : in_script)
        EXPECT_TRUE(is_runbook_operation(op)) << op << " is in the runbook but not in is_runbook_operation()";
    for (const auto& op : in_cpp)
        EXPECT_TRUE(in_script.count(op)) << op << " is in is_runbook_operation() but not in the runbook";
    EXPECT_EQ(in_script.size(), 8u);
}

TEST(RunbookScript, ParametersDeclaredPerOperationMatchTheExecutor)
{
    // Each operation's "Parameters = @(...)" line, in table order, against what the executor
    // validates: a domain for the two domain operations, a policy for the policy one.
    const std::string block = operations_block(script());
    const std::regex entry(R"('([a-z_.]+)'[ \t]*=[ \t]*@\{[^\n]*\n[ \t]*Parameters[ \t]*=[ \t]*@\(([^)]*)\))");
    int seen = 0;
    for (auto it = std::sregex_iterator(block.begin(), block.end(), entry); it != std::sregex_iterator(); ++it, ++seen) {
        const std::string op = (*it)[1].str();
        const std::string params = (*it)[2].str();
        ab::bot::ports::setting_change c;
        c.operation = op;
        if (params.empty())
            c.parameters = nlohmann::json::object();
        else if (params == "'domain'")
            c.parameters = {{"domain", "fabrikam.com"}};
        else if (params == "'policy'")
            c.parameters = {{"policy", "Global"}};
        else
            ADD_FAILURE() << op << ": unexpected Parameters " << params;
        EXPECT_FALSE(runbook_steps(c).empty()) << op << " with " << c.parameters.dump();
    }
    EXPECT_EQ(seen, 8);
}

TEST(RunbookScript, ReadsOnlyFieldsTheBotSends)
{
    const std::string text = script();
    const auto request = nlohmann::json::parse(ab::test::source_file("tests/fixtures/runbook/request.json"));
    const auto top = matches(text, R"(Get-Field \$Request '([A-Za-z]+)')");
    const auto by = matches(text, R"(Get-Field \$RequestedBy '([A-Za-z]+)')");
    EXPECT_EQ(top, (std::set<std::string>{"callbackUrl", "correlationId", "id", "operation", "parameters", "requestedBy", "tenantId", "version"}));
    for (const auto& f : top)
        EXPECT_TRUE(request.contains(f)) << f;
    for (const auto& f : by)
        EXPECT_TRUE(request.at("requestedBy").contains(f)) << f;
    EXPECT_FALSE(by.empty());
}

TEST(RunbookScript, SameHeadersSkewAndSecretVariable)
{
    const std::string text = script();
    EXPECT_NE(text.find("'" + std::string(timestamp_header_name) + "'"), std::string::npos);
    EXPECT_NE(text.find("'" + std::string(signature_header_name) + "'"), std::string::npos);
    EXPECT_NE(text.find("$MaxSkewSeconds = " + std::to_string(default_max_skew) + "\n"), std::string::npos);
    EXPECT_NE(text.find("$SecretVariableName = 'AccessBotSecret'"), std::string::npos);
    EXPECT_NE(text.find("Set-StrictMode -Version Latest"), std::string::npos);
    EXPECT_NE(text.find("$ErrorActionPreference = 'Stop'"), std::string::npos);
    EXPECT_NE(text.find("Connect-MicrosoftTeams -Identity"), std::string::npos);
    EXPECT_NE(text.find("[System.Security.Cryptography.HMACSHA256]"), std::string::npos);
}
