#pragma once
// Helpers that need more of Asio than the vocabulary: deadlines and running blocking work on a
// thread pool. Include only where needed (compile cost).

#include "bot/async.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <type_traits>

namespace ab {

/// Runs blocking `fn` on `pool`; the awaiting coroutine resumes on its own executor.
/// Exceptions thrown by `fn` are rethrown in the awaiting coroutine.
template <class Fn>
auto offload(net::thread_pool& pool, Fn fn)
{
    using result_type = std::invoke_result_t<Fn&>;
    return net::async_initiate<decltype(net::use_awaitable), void(std::exception_ptr, result_type)>(
        [&pool](auto handler, Fn f) {
            net::post(pool, [h = std::move(handler), f = std::move(f)]() mutable {
                std::exception_ptr error;
                result_type value{};
                try {
                    value = f();
                } catch (...) {
                    error = std::current_exception();
                }
                auto ex = net::get_associated_executor(h);
                net::dispatch(ex, [h = std::move(h), error, v = std::move(value)]() mutable { std::move(h)(error, std::move(v)); });
            });
        },
        net::use_awaitable, std::move(fn));
}

/// nullopt if `op` did not finish within `limit`; `op` is cancelled then.
template <class T>
task<std::optional<T>> with_deadline(task<T> op, std::chrono::steady_clock::duration limit)
{
    using namespace net::experimental::awaitable_operators;
    net::steady_timer timer{co_await net::this_coro::executor, limit};
    auto winner = co_await (std::move(op) || timer.async_wait(net::use_awaitable));
    if (winner.index() == 1)
        co_return std::nullopt;
    co_return std::get<0>(std::move(winner));
}

} // namespace ab
