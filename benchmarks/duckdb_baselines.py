"""The DuckDB baselines of ``benchmarks/run.py``: the same work in SQL, on the same files.

Run as a script it is the *whole-process* baseline (a Python process that imports only DuckDB,
runs the query and prints the result, as ``benchtables`` does)::

    python benchmarks/duckdb_baselines.py validate FILE STORE     # the checks of `benchtables validate`
    python benchmarks/duckdb_baselines.py leaderboard STORE mmlu  # the table of `benchtables leaderboard`

Imported, its functions are the *in-process* baselines.

``validate``: the checks of a bulk file of score records that DuckDB can state in SQL —
required columns not null (empty text counts as null, as benchtables normalises it), model,
source and benchmark references anti-joined against the ids the store declares, each value inside
its metric's range (the metric defaulting to the benchmark's primary one), the metric one of the
benchmark's, and a duplicate key (the record key, with the split defaulting to the benchmark's
standard one) found by a group-by: every row after the first of its key. Rows are numbered from 1.

``leaderboard``: :func:`benchtables.leaderboard`'s rules — baselines, partial runs and subsets
left out; the setting (n-shot, setting, split; a missing split is the benchmark's standard one)
with the most models chosen, ties to the plainest; per model the report of the introducing
source, else the newest, then the highest value; sources counted; competition rank.
"""

from __future__ import annotations

import json
import sys
from typing import Any

VALIDATE_SQL = """
CREATE TEMP TABLE checked AS
WITH r AS (
  SELECT file_row_number + 1 AS row,
         nullif(trim(model), '') AS model, nullif(trim(benchmark), '') AS benchmark,
         nullif(trim({metric}), '') AS metric, value, {n_shot} AS n_shot,
         nullif(lower(trim({setting})), '') AS setting, nullif(lower(trim({split})), '') AS split,
         nullif(lower(trim({subset})), '') AS subset, coalesce({partial}, false) AS partial,
         nullif(trim(source), '') AS source, nullif(trim({where_}), '') AS "where"
  FROM read_parquet('{file}', file_row_number = true)
)
SELECT r.*, b.id IS NOT NULL AS known_benchmark, md.id IS NOT NULL AS known_model, s.id IS NOT NULL AS known_source,
       coalesce(r.metric, b."primary") AS metric_id, coalesce(r.split, b.split) AS split_id,
       list_contains(b.metrics, coalesce(r.metric, b."primary")) AS metric_of_benchmark, m.min AS low, m.max AS high
FROM r
LEFT JOIN read_parquet('{store}/benchmarks.parquet') b ON r.benchmark = b.id
LEFT JOIN read_parquet('{store}/metrics.parquet') m ON m.id = coalesce(r.metric, b."primary")
LEFT JOIN (SELECT id FROM read_parquet('{store}/models.parquet')) md ON md.id = r.model
LEFT JOIN (SELECT id FROM read_parquet('{store}/sources.parquet')) s ON s.id = r.source
"""

PROBLEMS_SQL = """
WITH problems AS (
  SELECT row, 'missing' AS code FROM checked
   WHERE model IS NULL OR benchmark IS NULL OR value IS NULL OR source IS NULL
  UNION ALL SELECT row, 'unknown_model' FROM checked WHERE model IS NOT NULL AND NOT known_model
  UNION ALL SELECT row, 'unknown_source' FROM checked WHERE source IS NOT NULL AND NOT known_source
  UNION ALL SELECT row, 'unknown_benchmark' FROM checked WHERE benchmark IS NOT NULL AND NOT known_benchmark
  UNION ALL SELECT row, 'unknown_metric' FROM checked WHERE known_benchmark AND NOT metric_of_benchmark
  UNION ALL SELECT row, 'out_of_range' FROM checked WHERE value < low OR value > high OR isnan(value)
), valid AS (
  SELECT * FROM checked ANTI JOIN problems USING (row)
), duplicates AS (
  SELECT unnest(list_sort(rows)[2:]) AS row, 'duplicate_record' AS code FROM (  -- all but the first of a key
    SELECT list(row) AS rows FROM valid
    GROUP BY model, benchmark, metric_id, n_shot, setting, split_id, subset, partial, source, "where"
    HAVING count(*) > 1)
)
SELECT row, code FROM problems UNION ALL SELECT row, code FROM duplicates ORDER BY row, code
"""


def validate(connection: Any, file: str, store: str) -> list[tuple[int, str]]:
    """(row, code) of every problem DuckDB's checks find in the bulk file ``file``."""
    present = {r[0] for r in connection.sql(f"DESCRIBE SELECT * FROM read_parquet('{file}')").fetchall()}

    def column(name: str, null: str = "NULL::VARCHAR") -> str:
        return f'"{name}"' if name in present else null

    connection.sql("DROP TABLE IF EXISTS checked")
    connection.sql(VALIDATE_SQL.format(file=file, store=store, metric=column("metric"), n_shot=column("n_shot", "NULL"),
                                       setting=column("setting"), split=column("split"), subset=column("subset"),
                                       partial=column("partial", "NULL::BOOLEAN"), where_=column("where")))
    return [(int(r), str(c)) for r, c in connection.sql(PROBLEMS_SQL).fetchall()]


LEADERBOARD_SQL = """
WITH bench AS (
  SELECT id, split FROM read_parquet('{store}/benchmarks.parquet') WHERE id = '{benchmark}'
), target AS (
  SELECT s.model, s.value, s.stderr, s.source, s.first_party, s."where", s.n_shot, s.setting,
         coalesce(s.split, (SELECT split FROM bench)) AS split, s.file_row_number AS position
  FROM read_parquet('{store}/scores.parquet', file_row_number = true) s
  WHERE s.benchmark = '{benchmark}' AND s.metric = '{metric}' AND s.subset IS NULL AND NOT coalesce(s.partial, false)
    AND s.model NOT IN (SELECT id FROM read_parquet('{store}/models.parquet') WHERE kind = 'baseline')
), chosen AS (  -- the setting with the most models; ties go to the plainest (as ScoreView.settings orders them)
  SELECT n_shot, setting, split FROM target GROUP BY n_shot, setting, split
  ORDER BY count(DISTINCT model) DESC, setting IS NOT NULL, setting, split IS NOT NULL, split, coalesce(n_shot, -1)
  LIMIT 1
), comparable AS (
  SELECT t.*, src.year
  FROM target t JOIN chosen c
    ON t.n_shot IS NOT DISTINCT FROM c.n_shot AND t.setting IS NOT DISTINCT FROM c.setting
   AND t.split IS NOT DISTINCT FROM c.split
  LEFT JOIN read_parquet('{store}/sources.parquet') src ON t.source = src.id
), reports AS (  -- prefer the introducing source, then the newest, then the best value
  SELECT *, row_number() OVER (PARTITION BY model ORDER BY first_party DESC NULLS LAST, year DESC NULLS LAST,
                                                           source DESC NULLS LAST, value {direction} NULLS LAST,
                                                           "where" ASC NULLS LAST, position) AS pick,
         min(value) OVER (PARTITION BY model) AS low, max(value) OVER (PARTITION BY model) AS high,
         count(DISTINCT source) OVER (PARTITION BY model) AS reports
  FROM comparable
)
SELECT rank() OVER (ORDER BY r.value {direction}) AS rank, r.model, m.name, m.organization, m.parameters,
       r.value, r.stderr, r.source, r.reports, CASE WHEN r.high <> r.low THEN r.high - r.low END AS spread
FROM reports r LEFT JOIN read_parquet('{store}/models.parquet') m ON m.id = r.model
WHERE r.pick = 1 ORDER BY rank, r.model
"""


def leaderboard_sql(connection: Any, store: str, benchmark: str) -> str:
    """The leaderboard query for ``benchmark`` in its primary metric (direction from the store's metrics)."""
    metric, higher = connection.sql(
        f"SELECT b.\"primary\", m.higher_is_better FROM read_parquet('{store}/benchmarks.parquet') b "
        f"JOIN read_parquet('{store}/metrics.parquet') m ON m.id = b.\"primary\" WHERE b.id = '{benchmark}'").fetchall()[0]
    return LEADERBOARD_SQL.format(store=store, benchmark=benchmark, metric=metric,
                                  direction="DESC" if higher else "ASC")


def leaderboard(connection: Any, store: str, benchmark: str) -> list[tuple[Any, ...]]:
    """Rows of the leaderboard: rank, model, name, organization, parameters, value, stderr, source, reports, spread."""
    return connection.sql(leaderboard_sql(connection, store, benchmark)).fetchall()


def _markdown(rows: list[tuple[Any, ...]]) -> str:
    lines = ["| # | Model | Organization | Params | Value | ± stderr | Source | Reports | Spread |",
             "|---|---|---|---|---|---|---|---|---|"]
    for rank, _model, name, org, params, value, stderr, source, reports, spread in rows:
        lines.append(f"| {rank} | {name} | {org or ''} | {'' if params is None else f'{params / 1e9:g}B'} | "
                     f"{value:.1f} | {'' if stderr is None else f'{stderr:.2f}'} | {source} | {reports} | "
                     f"{'' if spread is None else f'{spread:.1f}'} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    import duckdb

    connection = duckdb.connect()
    if argv[:1] == ["validate"] and len(argv) == 3:
        problems = validate(connection, argv[1], argv[2])
        print(json.dumps({"errors": len(problems), "problems": [{"row": r, "code": c} for r, c in problems[:50]]}))
        return 1 if problems else 0
    if argv[:1] == ["leaderboard"] and len(argv) == 3:
        print(_markdown(leaderboard(connection, argv[1], argv[2])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
