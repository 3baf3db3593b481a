// Replays fuzz inputs under ctest (GCC + sanitizers) without libFuzzer: every file given (or
// found below a directory given) is fed to LLVMFuzzerTestOneInput, followed by a bounded set of
// deterministic mutations of it (truncations and byte flips), so each run also explores a little.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void feed(const std::string& s)
{
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

void replay(const std::string& s, std::uint32_t& rng, int mutations)
{
    feed(s);
    for (int i = 0; i < mutations && !s.empty(); ++i) {
        rng = rng * 1664525u + 1013904223u;
        std::string m = s;
        const std::size_t pos = rng % m.size();
        switch (i % 3) {
        case 0: m.resize(pos); break;                                                   // truncation
        case 1: m[pos] = static_cast<char>(m[pos] ^ static_cast<char>(1u << (rng % 8))); break; // bit flip
        default: m.insert(pos, m.substr(pos, std::min<std::size_t>(64, m.size() - pos))); break; // duplication
        }
        feed(m);
    }
}

} // namespace

int main(int argc, char** argv)
{
    std::uint32_t rng = 12345;
    int mutations = 12;
    std::size_t files = 0, limit = 400;
    // Options may stand anywhere: read them all before replaying.
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind("--mutations=", 0) == 0)
            mutations = std::stoi(arg.substr(12));
        else if (arg.rfind("--limit=", 0) == 0)
            limit = static_cast<std::size_t>(std::stoul(arg.substr(8)));
    }
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind("--", 0) == 0)
            continue;
        std::vector<std::filesystem::path> paths;
        if (std::filesystem::is_directory(arg)) {
            for (const auto& e : std::filesystem::recursive_directory_iterator(arg))
                if (e.is_regular_file())
                    paths.push_back(e.path());
        } else if (std::filesystem::exists(arg)) {
            paths.emplace_back(arg);
        }
        std::sort(paths.begin(), paths.end());
        for (const auto& p : paths) {
            if (files >= limit)
                break;
            std::ifstream in(p, std::ios::binary);
            std::ostringstream ss;
            ss << in.rdbuf();
            replay(ss.str(), rng, mutations);
            ++files;
        }
    }
    std::printf("replayed %zu inputs with %d mutations each\n", files, mutations);
    return 0;
}
