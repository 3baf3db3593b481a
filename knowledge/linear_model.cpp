#include "knowledge/linear_model.hpp"

#include <algorithm>
#include <istream>
#include <ostream>
#include <cmath>
#include <numeric>
#include <random>

namespace ab::knowledge {

linear_model::linear_model(std::size_t classes)
    : classes_(classes), weights_(static_cast<std::size_t>(feature_dim) * classes, 0.0f), bias_(classes, 0.0f)
{
}

namespace {

void write_floats(std::ostream& out, const std::vector<float>& v)
{
    const std::uint64_t n = v.size();
    out.write(reinterpret_cast<const char*>(&n), sizeof n);
    out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
}

bool read_floats(std::istream& in, std::vector<float>& v, std::size_t expected)
{
    std::uint64_t n = 0;
    if (!in.read(reinterpret_cast<char*>(&n), sizeof n) || n != expected)
        return false;
    std::vector<float> tmp(expected);
    if (!in.read(reinterpret_cast<char*>(tmp.data()), static_cast<std::streamsize>(expected * sizeof(float))))
        return false;
    v = std::move(tmp);
    return true;
}

} // namespace

void write_float_vector(std::ostream& out, const std::vector<float>& v)
{
    write_floats(out, v);
}

bool read_float_vector(std::istream& in, std::vector<float>& v, std::size_t expected)
{
    return read_floats(in, v, expected);
}

void linear_model::write(std::ostream& out) const
{
    write_floats(out, weights_);
    write_floats(out, bias_);
}

bool linear_model::read(std::istream& in)
{
    std::vector<float> w, b;
    if (!read_floats(in, w, weights_.size()) || !read_floats(in, b, bias_.size()))
        return false;
    weights_ = std::move(w);
    bias_ = std::move(b);
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
template <std::size_t C>
void dot(const std::vector<float>& weights, const sparse_vector& x, float* out)
{
    for (std::size_t k = 0; k < x.index.size(); ++k) {
        const float* w = &weights[static_cast<std::size_t>(x.index[k]) * C];
        const float v = x.value[k];
        for (std::size_t c = 0; c < C; ++c)
            out[c] += w[c] * v;
    }
}

} // namespace

void linear_model::scores(const sparse_vector& x, std::span<float> out) const
{
    std::copy(bias_.begin(), bias_.end(), out.begin());
    switch (classes_) {
    case 2: dot<2>(weights_, x, out.data()); return;
    case 10: dot<10>(weights_, x, out.data()); return;
    default: break;
    }
    for (std::size_t k = 0; k < x.index.size(); ++k) {
        const float* w = &weights_[static_cast<std::size_t>(x.index[k]) * classes_];
        const float v = x.value[k];
        for (std::size_t c = 0; c < classes_; ++c)
            out[c] += w[c] * v;
    }
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
    std::fill(weights_.begin(), weights_.end(), 0.0f);
    std::fill(bias_.begin(), bias_.end(), 0.0f);
    std::vector<float> u(weights_.size(), 0.0f), ub(classes_, 0.0f);
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
            scores(xi, p);
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
                    weights_[base + c] += d;
                    u[base + c] += t * d;
                }
            }
            t += 1.0f;
        }
    }
    for (std::size_t i = 0; i < weights_.size(); ++i)
        weights_[i] -= u[i] / t;
    for (std::size_t c = 0; c < classes_; ++c)
        bias_[c] -= ub[c] / t;
}

} // namespace ab::knowledge
