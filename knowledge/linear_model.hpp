#pragma once
// Multinomial logistic regression over hashed sparse features (softmax regression).
// Training is deterministic: a fixed-seed shuffle, fixed epochs, plain SGD with L2 decay.

#include "knowledge/features.hpp"

#include <cstdint>
#include <iosfwd>
#include <span>
#include <vector>

namespace ab::knowledge {

struct training_options {
    int epochs = 12;
    float learning_rate = 2.0f;
    float l2 = 1e-5f;
    std::uint32_t seed = 20261121;
};

class linear_model {
public:
    linear_model() = default;
    explicit linear_model(std::size_t classes);

    /// Trains from scratch on (x[i], y[i]) with per-example weights w[i].
    void train(std::span<const sparse_vector> x, std::span<const std::uint8_t> y, std::span<const float> w,
               const training_options& opt);

    /// Raw scores (logits), one per class, written to `out` (size classes()).
    void scores(const sparse_vector& x, std::span<float> out) const;
    /// Softmax of scores / temperature.
    void probabilities(const sparse_vector& x, float temperature, std::span<float> out) const;

    std::size_t classes() const { return classes_; }

    /// Binary (de)serialization of the trained weights; read() returns false on a size mismatch
    /// or a short stream and leaves the model unchanged.
    void write(std::ostream& out) const;
    bool read(std::istream& in);
    /// Bytes used by the weights.
    std::size_t memory_bytes() const { return weights_.size() * sizeof(float); }

private:
    std::size_t classes_ = 0;
    std::vector<float> weights_; ///< [feature][class], so one feature's weights share a cache line
    std::vector<float> bias_;
};

void softmax(std::span<float> v, float temperature);

/// Length-prefixed float arrays, native byte order (the cache is local to one machine).
void write_float_vector(std::ostream& out, const std::vector<float>& v);
bool read_float_vector(std::istream& in, std::vector<float>& v, std::size_t expected);

} // namespace ab::knowledge
