#include "knowledge/domain.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace ab::knowledge {

namespace {

constexpr std::string_view tlds[] = {
    // generic
    "com", "net", "org", "edu", "gov", "mil", "int", "io", "co", "biz", "info", "app", "dev", "cloud", "online", "tech",
    "ai", "eu", "xyz", "site", "shop", "group", "company", "consulting", "agency", "global", "law", "bank", "health",
    "museum", "travel", "coop", "pro", "name",
    // country codes people here write (Europe first); ".md", ".sh", ".py" deliberately left out
    "nl", "se", "de", "fr", "es", "be", "lu", "ch", "at", "uk", "ie", "it", "pt", "dk", "no", "fi", "is", "pl", "cz",
    "sk", "hu", "ro", "bg", "gr", "ee", "lv", "lt", "si", "hr", "rs", "ua", "ru", "tr", "us", "ca", "mx", "br", "ar",
    "cl", "pe", "uy", "au", "nz", "jp", "cn", "kr", "in", "sg", "hk", "tw", "za", "ae", "il", "cat", "gal", "eus",
};

constexpr std::string_view consumer[] = {
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.net", "gmx.com", "gmx.de",
    "gmx.at", "gmx.ch", "web.de", "t-online.de", "freenet.de", "posteo.de", "mail.com", "zoho.com", "yandex.com",
    "orange.fr", "free.fr", "laposte.net", "sfr.fr", "wanadoo.fr", "ziggo.nl", "kpnmail.nl", "hetnet.nl", "home.nl",
    "planet.nl", "xs4all.nl", "telenet.be", "skynet.be", "bredband.net", "telia.com", "spray.se", "passagen.se",
    "comhem.se", "telefonica.net", "terra.es", "movistar.es", "skype.com", "teams.live.com",
};

// Hosts of the services themselves, not somebody's organization.
constexpr std::string_view service_suffixes[] = {
    "microsoft.com", "office.com", "office365.com", "microsoftonline.com", "windows.net", "azure.com", "aka.ms",
    "sharepoint.com", "live.net", "skype.com", "teams.live.com", "bing.com", "learn.microsoft.com", "cloud.microsoft",
};

bool ends_with(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool label_ok(std::string_view label)
{
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
        return false;
    return std::all_of(label.begin(), label.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return std::isalnum(u) || c == '-' || u >= 0x80;
    });
}

bool is_domain_char(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '-' || c == '.' || u >= 0x80;
}

std::string lower(std::string_view s)
{
    std::string r(s);
    for (auto& c : r)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

} // namespace

bool looks_like_domain(std::string_view d)
{
    if (d.size() < 4 || d.size() > 253)
        return false;
    const auto dot = d.rfind('.');
    if (dot == std::string_view::npos || dot == 0)
        return false;
    const std::string tld = lower(d.substr(dot + 1));
    if (std::find(std::begin(tlds), std::end(tlds), tld) == std::end(tlds))
        return false;
    std::size_t start = 0;
    while (start <= d.size()) {
        const auto next = d.find('.', start);
        const auto label = d.substr(start, next == std::string_view::npos ? std::string_view::npos : next - start);
        if (!label_ok(label))
            return false;
        if (next == std::string_view::npos)
            break;
        start = next + 1;
    }
    // "e.g" and "i.e" style abbreviations have one-letter labels.
    return dot >= 2;
}

bool is_consumer_domain(std::string_view domain)
{
    const std::string d = lower(domain);
    for (auto c : consumer)
        if (d == c || ends_with(d, "." + std::string(c)))
            return true;
    // hotmail.nl, outlook.de, live.se, yahoo.fr ...
    for (std::string_view brand : {"hotmail.", "outlook.", "live.", "yahoo.", "msn."})
        if (d.rfind(brand, 0) == 0 && d.find('.', brand.size()) == std::string::npos)
            return true;
    return false;
}

std::optional<std::string> extract_domain(std::string_view text)
{
    std::size_t i = 0;
    while (i < text.size()) {
        if (!is_domain_char(text[i]) || text[i] == '.' || text[i] == '-') {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && is_domain_char(text[j]))
            ++j;
        std::string_view tok = text.substr(i, j - i);
        // A URL path or e-mail local part ends the token; the '@' itself is not a domain char,
        // so "anna@fabrikam.com" yields "anna" then "fabrikam.com".
        while (!tok.empty() && (tok.back() == '.' || tok.back() == '-'))
            tok.remove_suffix(1);
        const bool in_path = i > 0 && text[i - 1] == '/' && !(i > 1 && text[i - 2] == '/');
        if (!in_path && tok.find('.') != std::string_view::npos && looks_like_domain(tok)) {
            std::string d = lower(tok);
            if (d.rfind("www.", 0) == 0)
                d.erase(0, 4);
            bool service = false;
            for (auto s : service_suffixes)
                if (d == s || ends_with(d, "." + std::string(s)))
                    service = true;
            if (!service && !is_consumer_domain(d))
                return d;
        }
        i = j;
    }
    return std::nullopt;
}

} // namespace ab::knowledge
