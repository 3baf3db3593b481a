#include "knowledge/model_image.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ab::knowledge {

namespace {

constexpr std::size_t padding(std::size_t pos)
{
    return (8 - pos % 8) % 8;
}

} // namespace

void model_writer::pad()
{
    out_.append(padding(out_.size()), '\0');
}

void model_writer::u64(std::uint64_t v)
{
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
}

void model_writer::array(const void* data, std::size_t count, std::size_t bytes)
{
    pad();
    u64(count);
    out_.append(static_cast<const char*>(data), bytes);
    pad();
}

void model_writer::floats(std::span<const float> v)
{
    array(v.data(), v.size(), v.size_bytes());
}

void model_writer::int16s(std::span<const std::int16_t> v)
{
    array(v.data(), v.size(), v.size_bytes());
}

bool model_reader::take(std::size_t n, const std::byte*& p)
{
    if (n > bytes_.size() - pos_)
        return false;
    p = bytes_.data() + pos_;
    pos_ += n;
    return true;
}

bool model_reader::raw(std::string_view expected)
{
    const std::byte* p = nullptr;
    return take(expected.size(), p) && std::memcmp(p, expected.data(), expected.size()) == 0;
}

bool model_reader::u64(std::uint64_t& v)
{
    const std::byte* p = nullptr;
    if (!take(sizeof v, p))
        return false;
    std::memcpy(&v, p, sizeof v);
    return true;
}

bool model_reader::array(std::size_t expected, std::size_t element_size, const std::byte*& p)
{
    const std::byte* pad = nullptr;
    std::uint64_t n = 0;
    return take(padding(pos_), pad) && u64(n) && n == expected && take(expected * element_size, p) && take(padding(pos_), pad);
}

bool model_reader::floats(std::vector<float>& v, std::size_t expected)
{
    const std::byte* p = nullptr;
    if (!array(expected, sizeof(float), p))
        return false;
    v.resize(expected);
    std::memcpy(v.data(), p, expected * sizeof(float));
    return true;
}

bool model_reader::int16s(std::vector<std::int16_t>& owned, const std::int16_t*& view, std::size_t expected)
{
    const std::byte* p = nullptr;
    if (!array(expected, sizeof(std::int16_t), p))
        return false;
    if (borrow_ && reinterpret_cast<std::uintptr_t>(p) % alignof(std::int16_t) == 0) {
        owned.clear();
        owned.shrink_to_fit();
        view = reinterpret_cast<const std::int16_t*>(p);
    } else {
        owned.resize(expected);
        std::memcpy(owned.data(), p, expected * sizeof(std::int16_t));
        view = nullptr;
    }
    return true;
}

void quantized_table::assign(std::span<const float> values)
{
    float top = 0;
    for (float v : values)
        top = std::max(top, std::fabs(v));
    scale_ = top > 0 ? top / 32767.0f : 1.0f;
    owned_.resize(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        owned_[i] = static_cast<std::int16_t>(std::clamp(std::lround(values[i] / scale_), -32767L, 32767L));
    view_ = nullptr;
    size_ = values.size();
}

void quantized_table::write(model_writer& out) const
{
    const float s[1] = {scale_};
    out.floats(s);
    out.int16s({data(), size_});
}

bool quantized_table::read(model_reader& in, std::size_t expected)
{
    std::vector<float> s;
    std::vector<std::int16_t> owned;
    const std::int16_t* view = nullptr;
    if (!in.floats(s, 1) || !(s[0] > 0) || !std::isfinite(s[0]) || !in.int16s(owned, view, expected))
        return false;
    scale_ = s[0];
    owned_ = std::move(owned);
    view_ = view;
    size_ = expected;
    return true;
}

} // namespace ab::knowledge
