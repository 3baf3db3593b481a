#pragma once
// Multinomial logistic regression over hashed sparse features (softmax regression).
// Training is deterministic: a fixed-seed shuffle, fixed epochs, plain SGD with L2 decay.

#include "knowledge/features.hpp"
#include "knowledge/model_image.hpp"

#include <cstdint>
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

    /// Trains from scratch on (x[i], y[i]) with per-example weights w[i] (in floats), then keeps
    /// the weights quantized (model_image.hpp).
    void train(std::span<const sparse_vector> x, std::span<const std::uint8_t> y, std::span<const float> w,
               const training_options& opt);

    /// Raw scores (logits), one per class, written to `out` (size classes()).
    void scores(const sparse_vector& x, std::span<float> out) const;
    /// Softmax of scores / temperature.
    void probabilities(const sparse_vector& x, float temperature, std::span<float> out) const;

    std::size_t classes() const { return classes_; }

    /// (De)serialization of the trained weights; read() returns false on a size mismatch or a
    /// short image and leaves the model unchanged.
    void write(model_writer& out) const;
    bool read(model_reader& in);
    /// Bytes of weights this model owns (0 when they are viewed in a prebuilt image).
    std::size_t memory_bytes() const { return weights_.owned_bytes() + bias_.size() * sizeof(float); }

private:
    std::size_t classes_ = 0;
    quantized_table weights_; ///< [feature][class], so one feature's weights share a cache line
    std::vector<float> bias_;
};

void softmax(std::span<float> v, float temperature);

} // namespace ab::knowledge
