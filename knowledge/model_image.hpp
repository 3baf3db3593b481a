#pragma once
// The binary image of a trained model: what the model cache file holds and what the build embeds
// in the executable (the prebuilt model for the built-in content).
//
// Layout: little sections of a 64-bit length followed by the values, each padded to 8 bytes, so an
// image that starts on an 8-byte boundary can be used where it lies without copying. Native byte
// order: an image is only read by the machine (or the build) that wrote it.
//
// Weight tables are stored as 16-bit integers with one scale per table (value = q * scale):
// half the memory of floats, and the classification results do not change (the relative error is
// below 1/32767 of the table's largest weight).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ab::knowledge {

class model_writer {
public:
    void raw(std::string_view bytes) { out_.append(bytes); }
    void u64(std::uint64_t v);
    void floats(std::span<const float> v);
    void int16s(std::span<const std::int16_t> v);
    std::string take() { return std::move(out_); }

private:
    void pad();
    /// A length-prefixed array, padded on both sides to 8 bytes.
    void array(const void* data, std::size_t count, std::size_t bytes);
    std::string out_;
};

/// Reads an image front to back. Every read checks the remaining length; a short or inconsistent
/// image makes the read fail (false / empty), never read past the end.
class model_reader {
public:
    /// `borrow`: arrays may point into `bytes`, which must then outlive everything read from it.
    model_reader(std::span<const std::byte> bytes, bool borrow) : bytes_(bytes), borrow_(borrow) {}

    bool raw(std::string_view expected);
    bool u64(std::uint64_t& v);
    bool floats(std::vector<float>& v, std::size_t expected);
    /// The next int16 array of `expected` values: a view into the image when borrowing and
    /// aligned, else a copy into `owned` (and the view points there).
    bool int16s(std::vector<std::int16_t>& owned, const std::int16_t*& view, std::size_t expected);
    bool at_end() const { return pos_ == bytes_.size(); }

private:
    bool take(std::size_t n, const std::byte*& p);
    /// The next array written by model_writer::array: its `expected` count and `p` at its values.
    bool array(std::size_t expected, std::size_t element_size, const std::byte*& p);
    std::span<const std::byte> bytes_;
    std::size_t pos_ = 0;
    bool borrow_ = false;
};

/// A table of floats kept as int16 with one scale. Copyable: a copy of a borrowed table views the
/// same image; a copy of an owned table owns its own values.
class quantized_table {
public:
    void assign(std::span<const float> values);
    float scale() const { return scale_; }
    const std::int16_t* data() const { return view_ ? view_ : owned_.data(); }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    /// Bytes of the values this table owns (0 when it views an image).
    std::size_t owned_bytes() const { return owned_.size() * sizeof(std::int16_t); }

    void write(model_writer& out) const;
    bool read(model_reader& in, std::size_t expected);

private:
    float scale_ = 0;
    std::size_t size_ = 0;
    std::vector<std::int16_t> owned_;
    const std::int16_t* view_ = nullptr; ///< into a borrowed image, else null
};

} // namespace ab::knowledge
