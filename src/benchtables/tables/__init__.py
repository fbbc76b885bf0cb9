"""Tables made from the store: leaderboards, comparisons, suite rankings, state of the art over
time, derived figures and Pareto fronts — each a :class:`~benchtables.tables.view.TableView`."""

from benchtables.tables.compare import compare
from benchtables.tables.derived import (
    add_derived,
    chinchilla_optimal_tokens,
    chinchilla_ratio,
    compute_6nd,
    sampling_cost,
    tokens_per_parameter,
)
from benchtables.tables.leaderboard import leaderboard
from benchtables.tables.pareto import pareto, pareto_mask
from benchtables.tables.select import ModelFilter
from benchtables.tables.suites import mean_win_rate, suite_leaderboard
from benchtables.tables.view import SourceInfo, TableView

__all__ = [
    "ModelFilter",
    "SourceInfo",
    "TableView",
    "add_derived",
    "chinchilla_optimal_tokens",
    "chinchilla_ratio",
    "compare",
    "compute_6nd",
    "leaderboard",
    "mean_win_rate",
    "pareto",
    "pareto_mask",
    "sampling_cost",
    "suite_leaderboard",
    "tokens_per_parameter",
]
