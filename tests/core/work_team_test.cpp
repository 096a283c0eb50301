// The thread team that shares a training step: every task runs exactly once per run, on a thread
// the team names, and errors come back to the caller.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "../core/src/work_team.hpp"

namespace losslab::detail {
namespace {

TEST(WorkTeam, EveryTaskRunsExactlyOncePerRun) {
  for (unsigned threads : {1u, 2u, 3u}) {
    WorkTeam team(threads);
    ASSERT_EQ(team.size(), threads);
    // Many short runs back to back: the helpers must never run a task of the wrong run, skip
    // one, or run one twice.
    for (std::size_t run = 0; run < 3000; ++run) {
      const std::size_t count = run % 17;
      std::vector<std::atomic<int>> runs(count);
      std::atomic<bool> bad_thread{false};
      team.run(count, [&](std::size_t task, unsigned thread) {
        if (thread >= threads) bad_thread = true;
        runs[task].fetch_add(1);
      });
      for (std::size_t task = 0; task < count; ++task)
        ASSERT_EQ(runs[task].load(), 1) << threads << " threads, run " << run << ", task " << task;
      ASSERT_FALSE(bad_thread.load());
    }
  }
}

// Runs two tasks that wait for each other: the run can only finish if a second thread really
// takes a task (a team that ran everything on the caller would hang, so the wait is bounded and
// reported: false). Counts in `threads_seen[t]` the tasks thread t ran.
bool run_two_tasks_that_meet(WorkTeam& team, std::vector<std::atomic<int>>& threads_seen) {
  std::atomic<int> arrived{0};
  std::atomic<bool> met{true};
  team.run(2, [&](std::size_t, unsigned thread) {
    threads_seen.at(thread).fetch_add(1);
    arrived.fetch_add(1);
    for (long spin = 0; arrived.load() < 2; ++spin) {
      if (spin > 200'000'000) {
        met = false;
        return;
      }
    }
  });
  return met.load();
}

TEST(WorkTeam, HelpersDoShareTheWork) {
  WorkTeam team(2);
  std::vector<std::atomic<int>> threads_seen(2);
  EXPECT_TRUE(run_two_tasks_that_meet(team, threads_seen)) << "the second task never ran alongside the first";
  EXPECT_EQ(threads_seen[1].load(), 1);
}

TEST(WorkTeam, ATaskErrorReachesTheCallerAndTheTeamGoesOn) {
  WorkTeam team(2);
  EXPECT_THROW(team.run(8, [](std::size_t task, unsigned) {
                 if (task == 5) throw std::runtime_error("task 5 failed");
               }),
               std::runtime_error);
  std::atomic<int> ran{0};
  team.run(8, [&](std::size_t, unsigned) { ran.fetch_add(1); });
  EXPECT_EQ(ran.load(), 8);
}

TEST(WorkTeam, AGuestTakesTasksUntilTheTeamClosesToGuests) {
  WorkTeam team(1, 1);
  ASSERT_EQ(team.capacity(), 2u);
  const std::optional<unsigned> slot = team.admit_guest();
  ASSERT_TRUE(slot.has_value());
  EXPECT_EQ(*slot, 1u);                          // numbered after the team's own threads
  EXPECT_FALSE(team.admit_guest().has_value());  // its only guest slot is taken
  std::thread guest([&] { team.serve_as_guest(*slot); });
  // The team's only own thread is the caller: each run finishes only if the guest takes a task.
  std::vector<std::atomic<int>> threads_seen(2);
  for (int run = 0; run < 20; ++run)
    ASSERT_TRUE(run_two_tasks_that_meet(team, threads_seen)) << "the guest never took a task, run " << run;
  EXPECT_EQ(threads_seen[1].load(), 20);  // one of the two tasks of every run
  team.close_to_guests();              // returns only once the guest has left
  guest.join();
  EXPECT_FALSE(team.admit_guest().has_value());
  // The team goes on alone.
  std::atomic<int> ran{0};
  team.run(8, [&](std::size_t, unsigned thread) {
    EXPECT_EQ(thread, 0u);
    ran.fetch_add(1);
  });
  EXPECT_EQ(ran.load(), 8);
}

TEST(WorkTeam, AGuestAdmittedButNotYetServingNeitherBlocksRunsNorClosing) {
  WorkTeam team(1, 2);
  const std::optional<unsigned> slot = team.admit_guest();
  ASSERT_TRUE(slot.has_value());
  std::atomic<int> ran{0};
  team.run(4, [&](std::size_t, unsigned) { ran.fetch_add(1); });  // the caller does them all
  EXPECT_EQ(ran.load(), 4);
  // Closed before the guest starts: it must still get out, and close_to_guests() wait for it.
  std::thread closer([&] { team.close_to_guests(); });
  std::thread guest([&] { team.serve_as_guest(*slot); });
  closer.join();
  guest.join();
  EXPECT_FALSE(team.admit_guest().has_value());
}

}  // namespace
}  // namespace losslab::detail
