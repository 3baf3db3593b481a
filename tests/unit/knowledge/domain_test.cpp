#include "knowledge/domain.hpp"

#include <gtest/gtest.h>

using namespace ab::knowledge;

TEST(Domain, FindsTheFirstOrganizationDomain)
{
    EXPECT_EQ(extract_domain("how do i chat with someone at fabrikam.com?"), "fabrikam.com");
    EXPECT_EQ(extract_domain("kan ik iemand van bouwbedrijf-devries.nl toevoegen"), "bouwbedrijf-devries.nl");
    EXPECT_EQ(extract_domain("mail anna@Contoso.COM please"), "contoso.com");
    EXPECT_EQ(extract_domain("allow fabrikam.com and its subdomain eu.fabrikam.com"), "fabrikam.com");
    EXPECT_EQ(extract_domain("Vi vill bara tillåta exempelkommun.se."), "exempelkommun.se");
    EXPECT_EQ(extract_domain("partner on contoso.co.uk"), "contoso.co.uk");
}

TEST(Domain, SkipsConsumerAndServiceDomains)
{
    EXPECT_EQ(extract_domain("my friend uses gmail.com and hotmail.nl"), std::nullopt);
    EXPECT_EQ(extract_domain("she is on outlook.com, he is on gmx.net"), std::nullopt);
    EXPECT_EQ(extract_domain("see https://admin.teams.microsoft.com/company-wide-settings"), std::nullopt);
    EXPECT_EQ(extract_domain("aka.ms/TeamsFederationDiag said so, but fabrikam.com still fails"), "fabrikam.com");
    EXPECT_EQ(extract_domain("bob@gmail.com and alice@adatum.com"), "adatum.com");
}

TEST(Domain, IgnoresThingsThatOnlyLookLikeDomains)
{
    EXPECT_EQ(extract_domain("read README.md and run setup.exe"), std::nullopt);
    EXPECT_EQ(extract_domain("e.g. this, i.e. that"), std::nullopt);
    EXPECT_EQ(extract_domain("version 1.2.3 of the client"), std::nullopt);
    EXPECT_EQ(extract_domain(""), std::nullopt);
    EXPECT_EQ(extract_domain("...."), std::nullopt);
}

TEST(Domain, ConsumerDomainsAcrossCountries)
{
    EXPECT_TRUE(is_consumer_domain("hotmail.de"));
    EXPECT_TRUE(is_consumer_domain("yahoo.fr"));
    EXPECT_TRUE(is_consumer_domain("web.de"));
    EXPECT_FALSE(is_consumer_domain("fabrikam.com"));
    EXPECT_FALSE(is_consumer_domain("livewire.com"));
}
