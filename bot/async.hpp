#pragma once
// Coroutine vocabulary for the whole bot (house style 7.5). Keep Boost 1.81 specifics here so
// that an upgrade is a one-file change: in 1.81 every operation needs an explicit token, there is
// no bare `as_tuple` and no `cancel_after`.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ab {

namespace net = boost::asio;

template <class T = void>
using task = net::awaitable<T>;

/// Completion token that returns (error_code, results...) instead of throwing.
inline constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

} // namespace ab
