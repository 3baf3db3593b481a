#pragma once
// Runs a coroutine to completion on a fresh io_context (house style 7.7 rule 42).
#include "bot/async.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace ab::test {

template <class T>
T run_sync(net::io_context& ioc, task<T> t)
{
    auto f = net::co_spawn(ioc, std::move(t), net::use_future);
    ioc.restart();
    ioc.run();
    return f.get();
}

template <class T>
T run_sync(task<T> t)
{
    net::io_context ioc;
    return run_sync(ioc, std::move(t));
}

} // namespace ab::test
