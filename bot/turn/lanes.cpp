#include "bot/turn/lanes.hpp"

#include <boost/asio/this_coro.hpp>

#include <chrono>

namespace ab::bot::turn {

task<void> lanes::acquire(std::string conversation_id)
{
    auto it = lanes_.find(conversation_id);
    if (it == lanes_.end()) {
        lanes_.emplace(std::move(conversation_id), lane{});
        co_return;
    }
    // Someone holds the lane: wait for release() to hand it over (it cancels our timer).
    auto timer = std::make_shared<net::steady_timer>(co_await net::this_coro::executor, std::chrono::steady_clock::time_point::max());
    it->second.waiting.push_back(timer);
    auto [ec] = co_await timer->async_wait(use_nothrow);
    (void)ec; // operation_aborted is the hand-over signal, not an error
}

void lanes::release(const std::string& conversation_id)
{
    auto it = lanes_.find(conversation_id);
    if (it == lanes_.end())
        return;
    if (it->second.waiting.empty()) {
        lanes_.erase(it);
        return;
    }
    auto next = std::move(it->second.waiting.front());
    it->second.waiting.pop_front();
    next->cancel(); // the next waiter now owns the lane
}

} // namespace ab::bot::turn
