#include "knowledge/linear_model.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace ab::knowledge {

linear_model::linear_model(std::size_t classes) : classes_(classes), bias_(classes, 0.0f)
{
}

void linear_model::write(model_writer& out) const
{
    out.floats(bias_);
    weights_.write(out);
}

bool linear_model::read(model_reader& in)
{
    std::vector<float> b;
    quantized_table w;
    if (!in.floats(b, classes_) || !w.read(in, static_cast<std::size_t>(feature_dim) * classes_))
        return false;
    bias_ = std::move(b);
    weights_ = std::move(w);
    return true;
}

void softmax(std::span<float> v, float temperature)
{
    const float t = temperature > 0 ? temperature : 1.0f;
    const float m = *std::max_element(v.begin(), v.end());
    float sum = 0;
    for (auto& x : v) {
        x = std::exp((x - m) / t);
        sum += x;
    }
    for (auto& x : v)
        x /= sum;
}

namespace {

// Dot products with a class count known at compile time, so the inner loop unrolls.
template <class W, std::size_t C>
void dot(const W* weights, const sparse_vector& x, float* out)
{
    for (std::size_t k = 0; k < x.index.size(); ++k) {
        const W* w = &weights[static_cast<std::size_t>(x.index[k]) * C];
        const float v = x.value[k];
        for (std::size_t c = 0; c < C; ++c)
            out[c] += static_cast<float>(w[c]) * v;
    }
}

template <class W>
void dot(const W* weights, std::size_t classes, const sparse_vector& x, float* out)
{
    switch (classes) {
    case 2: dot<W, 2>(weights, x, out); return;
    case 10: dot<W, 10>(weights, x, out); return;
    default: break;
    }
    for (std::size_t k = 0; k < x.index.size(); ++k) {
        const W* w = &weights[static_cast<std::size_t>(x.index[k]) * classes];
        const float v = x.value[k];
        for (std::size_t c = 0; c < classes; ++c)
            out[c] += static_cast<float>(w[c]) * v;
    }
}

} // namespace

void linear_model::scores(const sparse_vector& x, std::span<float> out) const
{
    std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(classes_), 0.0f);
    if (!weights_.empty())
        dot(weights_.data(), classes_, x, out.data());
    const float s = weights_.scale();
    for (std::size_t c = 0; c < classes_; ++c)
        out[c] = bias_[c] + out[c] * s;
}

void linear_model::probabilities(const sparse_vector& x, float temperature, std::span<float> out) const
{
    scores(x, out);
    softmax(out.first(classes_), temperature);
}

void linear_model::train(std::span<const sparse_vector> x, std::span<const std::uint8_t> y, std::span<const float> w,
                         const training_options& opt)
{
    // SGD on the cross-entropy with Polyak averaging of the iterates (the averaged-perceptron
    // trick: u accumulates t * update, and the average is w - u / t), which generalizes better
    // than the last iterate and makes the result insensitive to the order of the last examples.
    std::vector<float> weights(static_cast<std::size_t>(feature_dim) * classes_, 0.0f);
    std::fill(bias_.begin(), bias_.end(), 0.0f);
    std::vector<float> u(weights.size(), 0.0f), ub(classes_, 0.0f);
    std::vector<std::size_t> order(x.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::mt19937 rng(opt.seed);
    std::vector<float> p(classes_);
    float t = 1.0f;
    for (int epoch = 0; epoch < opt.epochs; ++epoch) {
        // Fisher-Yates with our own index draw: std::shuffle's algorithm is not specified.
        for (std::size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[rng() % i]);
        const float lr = opt.learning_rate / (1.0f + 0.35f * static_cast<float>(epoch));
        for (std::size_t idx : order) {
            const auto& xi = x[idx];
            std::copy(bias_.begin(), bias_.end(), p.begin());
            dot(weights.data(), classes_, xi, p.data());
            softmax(p, 1.0f);
            p[y[idx]] -= 1.0f; // gradient of the cross-entropy w.r.t. the logits
            const float step = lr * w[idx];
            for (std::size_t c = 0; c < classes_; ++c) {
                const float d = -step * p[c] * 0.1f;
                bias_[c] += d;
                ub[c] += t * d;
            }
            for (std::size_t k = 0; k < xi.index.size(); ++k) {
                const std::size_t base = static_cast<std::size_t>(xi.index[k]) * classes_;
                const float v = xi.value[k];
                for (std::size_t c = 0; c < classes_; ++c) {
                    const float d = -step * p[c] * v;
                    weights[base + c] += d;
                    u[base + c] += t * d;
                }
            }
            t += 1.0f;
        }
    }
    for (std::size_t i = 0; i < weights.size(); ++i)
        weights[i] -= u[i] / t;
    for (std::size_t c = 0; c < classes_; ++c)
        bias_[c] -= ub[c] / t;
    weights_.assign(weights);
}

} // namespace ab::knowledge
