#pragma once
// Runs one coroutine to completion on a fresh io_context (house style rule 42): no sleeps, no
// shared global io_context. Exceptions thrown by the coroutine are rethrown here.

#include "bot/async.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace ab::test {

template <class T>
T run_sync(task<T> op)
{
    net::io_context ioc;
    auto result = net::co_spawn(ioc, std::move(op), net::use_future);
    ioc.run();
    return result.get();
}

} // namespace ab::test
