"""What the core needs from the outside world, as Protocols the core owns: one module per group.

- `people`: learners (one per person, across platforms), chats, link codes
- `sessions`: the open question of a learner in a chat
- `answers`: recorded answers and what is computed from them; appeals against a grade
- `cards`: spaced-repetition cards
- `rounds`: group rounds, their answers and leaderboards
- `daily`: subscriptions to the question of the day, its delivery ledger, reminders, batch work
- `refs`: small facts adapters keep across restarts (a poll's actions)
- `purge`: deleting expired refs and link codes and old delivery-ledger rows (the daily purge)
- `store`: `Tx` (one transaction holding every repository) and `Store` (which opens them)
- `messaging`: `Messenger`, how the core says something on its own (adapters implement it)
- `rendering`: `Renderer`, how a chart or a deck the core describes becomes bytes

bot/storage implements the repositories with SQLAlchemy Core, bot/core/fakes in memory (for
feature tests without a database); both pass the same contract tests (tests/contract).
Arguments that belong together travel as records (`NewAnswer`, `SessionStart`, `NewRound` …)
rather than as long positional lists.
"""
