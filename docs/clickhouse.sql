-- promptrun events in ClickHouse: the same usage, performance and feedback numbers as
-- `promptrun report usage|performance|feedback --format json`, computed in SQL.
--
-- Each statement follows a `-- @name NAME` line:
--   table        a table for the JSONL events as they are (schema v1, README "Events")
--   insert       how to load the JSONL files into it
--   runs         a view with one row per run: start, end and latest rating joined by run_id
--   usage        runs, share, distinct users, first and last run, runs by resolution
--   performance  runs, statuses, success rate, duration mean/p50/p90/p95/p99/max/total, metrics
--   feedback     ratings (latest per run), mean, distribution 1-5, participation
--   otel_events  instead of `table`: the same columns from an OpenTelemetry Collector's otel_logs
-- The `insert` and `otel_events` statements are written on lines starting with `--: ` so that
-- the file as a whole runs as is: the INSERT takes its data from stdin, and otel_logs exists
-- only behind a collector.
--
-- With a ClickHouse server (the three queries print nothing until data is loaded):
--
--   clickhouse-client --multiquery < docs/clickhouse.sql
--   for f in ~/.local/state/promptrun/events/events-*.jsonl; do
--     clickhouse-client --query "INSERT INTO promptrun_events SETTINGS date_time_input_format = 'best_effort', input_format_allow_errors_ratio = 1 FORMAT JSONEachRow" < "$f"
--   done
--   clickhouse-client --multiquery < docs/clickhouse.sql     # again: now the queries print the reports
--
-- Without a server, `clickhouse local --path promptrun-ch` in place of `clickhouse-client`
-- keeps the same table in the directory promptrun-ch, with the same commands.
--
-- The rules are promptrun's own (README "Reports", "How runs are counted"); each query says
-- where it follows them. tests/clickhouse/check_clickhouse.py runs every statement of this
-- file in chDB (ClickHouse's engine, embedded) on generated and real logs and checks each
-- number against `promptrun report --format json`: counts, sums, means, percentiles and
-- times are equal to the last bit, not merely close.
--
-- Grouping: by prompt and variant (promptrun's default `--group-by prompt,variant`), plus
-- one totals row (`is_total = 1`) over all runs, as the JSON's `totals`. A null variant is
-- '' (the JSON key's "" too). To group by something else (a tag: tags['team'], the version:
-- prompt_sha256, a day: toDate(fromUnixTimestamp64Milli(started_ms))), add it to the `runs`
-- view and put it in place of prompt, variant in a query's GROUP BY. To filter like
-- --since/--until, add `WHERE started_ms >= ...` after `FROM promptrun_runs` (ms since the
-- epoch of the run's start, which is what promptrun filters on).
--
-- Known differences, on lines promptrun itself never writes:
--   * A line cut off in the middle (a machine that lost power mid-write) is skipped by
--     promptrun alone; ClickHouse's JSONEachRow reader skips it together with the line after
--     it, so load each file with its own INSERT (a cut line is then only ever a file's last).
--   * Text that is not valid UTF-8 is loaded here, and skipped by promptrun.
--   * A line without one of the required fields (v, type, ts, run_id, prompt) is skipped by
--     promptrun; here it loads with the column's default (`v = 1` and the type check in
--     `runs` drop most of them).
--   * Two different ratings of one run with the very same ts, or two different run_end lines
--     of one run: promptrun keeps the first it reads, ClickHouse any one of them.
--   * Metric values beyond 1e18 in absolute value: promptrun adds them as plain floats.


-- @name table
-- The JSONL as it is: one row per line, every field of schema v1 a column (fields an event
-- type does not have load as NULL, or an empty map or array). Unknown fields are ignored
-- (input_format_skip_unknown_fields is on by default), as the schema asks of readers.
-- `rating` is a Float64 because promptrun accepts 4.0 as a rating and refuses 4.5.
CREATE TABLE IF NOT EXISTS promptrun_events
(
    v              UInt64,
    type           LowCardinality(String),
    ts             DateTime64(3, 'UTC'),
    run_id         String,
    prompt         String,
    variant        Nullable(String),
    -- run_start (prompt_sha256 ... tags are also on run_end; prompt_sha256 and user on feedback)
    requested      Nullable(String),
    resolution     LowCardinality(Nullable(String)),
    prompt_file    Nullable(String),
    prompt_sha256  Nullable(String),
    command        Nullable(String),
    args           Array(String),
    user           Nullable(String),
    host           Nullable(String),
    tags           Map(String, String),
    promptrun      Nullable(String),
    -- run_end
    duration_ms    Nullable(Float64),
    status         LowCardinality(Nullable(String)),
    exit_code      Nullable(Int32),
    signal         Nullable(Int32),
    metrics        Map(String, Float64),
    feedback_asked Nullable(Bool),
    -- feedback
    rating         Nullable(Float64),
    comment        Nullable(String),
    source         LowCardinality(Nullable(String))
)
ENGINE = MergeTree
ORDER BY (prompt, ts);


-- @name insert
-- One file per INSERT (see "Known differences" above), its lines on stdin (the loop at
-- the top of this file).
-- best_effort reads ts as RFC 3339 (the `Z`, or any offset); allow_errors skips lines that
-- are not JSON or do not fit the columns (a ts that is not a time, text for a number), as
-- promptrun skips them. Loading a file twice is harmless: the `runs` view counts each
-- event once, like promptrun's de-duplication.
--
--: INSERT INTO promptrun_events
--: SETTINGS date_time_input_format = 'best_effort', input_format_allow_errors_ratio = 1
--: FORMAT JSONEachRow


-- @name runs
-- One row per run_id, joining its run_start, run_end and ratings wherever they are (other
-- files, other days, duplicated), the way `promptrun report` does:
--   * only lines promptrun reads: v = 1, a known type, a run_end with a duration from 0 to
--     1e12 ms and a known status, a rating that is a whole number from 1 to 5;
--   * a run's fields (prompt, variant, user, resolution) are its run_end's, else its
--     run_start's; a rating whose run is in no log counts in the rating's own prompt and
--     variant (its ratings count, it is not a run);
--   * a run starts at run_end.ts - round(duration_ms) (in whole ms, halves away from zero,
--     as Rust's f64::round), else at run_start.ts;
--   * the latest rating (by ts) replaces earlier ones.
CREATE OR REPLACE VIEW promptrun_runs AS
SELECT
    run_id,
    countIf(type = 'run_start') > 0 AS has_start,
    countIf(type = 'run_end') > 0 AS has_end,
    has_start OR has_end AS is_run,
    argMax(prompt, rank) AS prompt,
    argMax(ifNull(variant, ''), rank) AS variant,
    argMaxIf(user, rank, type != 'feedback') AS user,
    argMaxIf(ifNull(resolution, ''), rank, type != 'feedback') AS resolution,
    argMax(started, rank) AS started_ms,
    anyIf(status, type = 'run_end') AS status,
    anyIf(duration_ms, type = 'run_end') AS duration_ms,
    anyIf(metrics, type = 'run_end') AS metrics,
    anyIf(ifNull(feedback_asked, false), type = 'run_end') AS feedback_asked,
    toUInt8(argMaxIf(rating, ts, type = 'feedback')) AS rating  -- NULL: not rated
FROM
(
    SELECT
        *,
        multiIf(type = 'run_end', 2, type = 'run_start', 1, 0) AS rank,
        toUnixTimestamp64Milli(ts) - if(type = 'run_end',
            toInt64(floor(duration_ms) + (duration_ms - floor(duration_ms) >= 0.5)), 0) AS started
    FROM promptrun_events
    WHERE v = 1
      AND (type = 'run_start'
        OR (type = 'run_end' AND duration_ms BETWEEN 0 AND 1e12
            AND status IN ('ok', 'error', 'signal', 'timeout', 'spawn_failed'))
        OR (type = 'feedback' AND rating BETWEEN 1 AND 5 AND rating = floor(rating)))
)
GROUP BY run_id;


-- @name usage
-- `promptrun report usage`: runs (started or ended, each once; incomplete runs count),
-- share of all runs, distinct users, first and last run start (RFC 3339, ms, UTC), and
-- runs by resolution (only those with runs; anything unknown is `other`).
WITH
    (SELECT countIf(is_run) FROM promptrun_runs) AS all_runs,
    (ms -> concat(replaceOne(toString(fromUnixTimestamp64Milli(ms, 'UTC')), ' ', 'T'), 'Z')) AS rfc3339
SELECT
    grouping(prompt, variant) = 3 AS is_total,
    prompt,
    variant,
    countIf(is_run) AS runs,
    runs / greatest(all_runs, 1) AS share,
    uniqExactIf(user, is_run) AS users,
    rfc3339(minIfOrNull(started_ms, is_run)) AS first_ts,
    rfc3339(maxIfOrNull(started_ms, is_run)) AS last_ts,
    mapFilter((name, n) -> n > 0, map(
        'name',  countIf(is_run AND resolution = 'name'),
        'alias', countIf(is_run AND resolution = 'alias'),
        'route', countIf(is_run AND resolution = 'route'),
        'adhoc', countIf(is_run AND resolution = 'adhoc'),
        'other', countIf(is_run AND resolution NOT IN ('name', 'alias', 'route', 'adhoc')))) AS resolutions
FROM promptrun_runs
GROUP BY GROUPING SETS ((prompt, variant), ())
ORDER BY is_total DESC, runs DESC, prompt, variant;


-- @name performance
-- `promptrun report performance`. Statuses and durations are of completed runs (a run_end
-- seen); `incomplete` counts runs with a run_start and no run_end; success_rate is
-- ok / completed, NULL with no completed run.
-- Sums are promptrun's: each value rounded to a whole number of 1e-9 (halves away from
-- zero) and added as integers, so a total does not depend on the order of the rows.
-- Percentiles are exact and interpolated at rank q*(n-1), like promptrun, DuckDB's
-- quantile_cont and numpy. quantilesExactInclusive(0.5, 0.9, 0.95, 0.99)(duration_ms) is
-- the same definition, but it works the rank out as q*(n-1)+1, which for a few group sizes
-- (n = 2, 3, 5, 9, 34, ...) moves a result in its last bits; the sorted array below
-- repeats promptrun's arithmetic, so the numbers are equal to the bit. Like quantileExact,
-- it holds every duration of a group in memory.
-- metric_*: per custom metric, the sum, the mean and how many runs reported it.
WITH
    (x -> toInt128(sign(x) * (floor(abs(x) * 1e9) + (abs(x) * 1e9 - floor(abs(x) * 1e9) >= 0.5)))) AS nanos,
    countIf(has_end) AS completed,
    arraySort(groupArrayIf(duration_ms, has_end)) AS sorted_ms,
    arrayMap(q -> q * (greatest(completed, 1) - 1), [0.5, 0.9, 0.95, 0.99]) AS ranks,
    arrayMap(rank -> if(completed = 0, NULL, sorted_ms[toUInt64(rank) + 1]
        + (sorted_ms[least(toUInt64(rank) + 2, completed)] - sorted_ms[toUInt64(rank) + 1]) * (rank - floor(rank))),
        ranks) AS percentiles_ms,
    sumMap(mapApply((name, x) -> (name, nanos(x)), metrics)) AS metric_nanos
SELECT
    grouping(prompt, variant) = 3 AS is_total,
    prompt,
    variant,
    countIf(is_run) AS runs,
    countIf(status = 'ok') AS ok,
    if(completed = 0, NULL, ok / completed) AS success_rate,
    countIf(has_start AND NOT has_end) AS incomplete,
    map('ok',           countIf(status = 'ok'),
        'error',        countIf(status = 'error'),
        'signal',       countIf(status = 'signal'),
        'timeout',      countIf(status = 'timeout'),
        'spawn_failed', countIf(status = 'spawn_failed')) AS statuses,
    toFloat64(ifNull(sumIf(nanos(duration_ms), has_end), 0)) / 1e9 AS duration_total_ms,
    if(completed = 0, NULL, duration_total_ms / completed) AS duration_mean_ms,
    percentiles_ms[1] AS duration_p50_ms,
    percentiles_ms[2] AS duration_p90_ms,
    percentiles_ms[3] AS duration_p95_ms,
    percentiles_ms[4] AS duration_p99_ms,
    maxIfOrNull(duration_ms, has_end) AS duration_max_ms,
    mapApply((name, n) -> (name, toFloat64(n) / 1e9), metric_nanos) AS metric_sum,
    sumMap(mapApply((name, x) -> (name, toUInt64(1)), metrics)) AS metric_count,
    mapApply((name, total) -> (name, total / metric_count[name]), metric_sum) AS metric_mean
FROM promptrun_runs
GROUP BY GROUPING SETS ((prompt, variant), ())
ORDER BY is_total DESC, runs DESC, prompt, variant;


-- @name feedback
-- `promptrun report feedback`: the latest rating of each run (a rating of a run that is in
-- no log counts too), their mean and distribution over 1 to 5 stars, and participation:
-- rated runs / runs where promptrun asked for a rating (run_end.feedback_asked), among the
-- asked runs; NULL when none was asked.
WITH countIf(feedback_asked) AS asked
SELECT
    grouping(prompt, variant) = 3 AS is_total,
    prompt,
    variant,
    countIf(is_run) AS runs,
    count(rating) AS ratings,
    if(ratings = 0, NULL, sum(rating) / ratings) AS rating_mean,
    [countIf(rating = 1), countIf(rating = 2), countIf(rating = 3), countIf(rating = 4), countIf(rating = 5)] AS rating_dist,
    if(asked = 0, NULL, countIf(feedback_asked AND rating IS NOT NULL) / asked) AS participation
FROM promptrun_runs
GROUP BY GROUPING SETS ((prompt, variant), ())
ORDER BY is_total DESC, runs DESC, prompt, variant;


-- @name otel_events
-- Behind an OpenTelemetry Collector: a filelog receiver reading the events-*.jsonl files
-- (no parsing operators) and the ClickHouse exporter put each line, as it is, in the Body
-- of a row of otel_logs. Instead of the `promptrun_events` table, create this view with
-- the same name and the columns `runs` reads (add others the same way); `runs` and the
-- three queries then work unchanged. Create it before running the file as a whole, whose
-- CREATE TABLE IF NOT EXISTS then leaves it in place. Narrow the WHERE to your collector's
-- files if otel_logs holds other logs (for instance on LogAttributes['log.file.name']).
-- A line the collector delivered twice counts once, as a duplicate does in promptrun.
--: CREATE VIEW IF NOT EXISTS promptrun_events AS
--: SELECT
--:     JSONExtract(Body, 'v', 'UInt64') AS v,
--:     JSONExtractString(Body, 'type') AS type,
--:     parseDateTime64BestEffort(JSONExtractString(Body, 'ts'), 3, 'UTC') AS ts,
--:     JSONExtractString(Body, 'run_id') AS run_id,
--:     JSONExtractString(Body, 'prompt') AS prompt,
--:     JSONExtract(Body, 'variant', 'Nullable(String)') AS variant,
--:     JSONExtract(Body, 'resolution', 'Nullable(String)') AS resolution,
--:     JSONExtract(Body, 'prompt_sha256', 'Nullable(String)') AS prompt_sha256,
--:     JSONExtract(Body, 'command', 'Nullable(String)') AS command,
--:     JSONExtract(Body, 'user', 'Nullable(String)') AS user,
--:     JSONExtract(Body, 'host', 'Nullable(String)') AS host,
--:     JSONExtract(Body, 'tags', 'Map(String, String)') AS tags,
--:     JSONExtract(Body, 'duration_ms', 'Nullable(Float64)') AS duration_ms,
--:     JSONExtract(Body, 'status', 'Nullable(String)') AS status,
--:     JSONExtract(Body, 'metrics', 'Map(String, Float64)') AS metrics,
--:     JSONExtract(Body, 'feedback_asked', 'Nullable(Bool)') AS feedback_asked,
--:     JSONExtract(Body, 'rating', 'Nullable(Float64)') AS rating,
--:     JSONExtract(Body, 'comment', 'Nullable(String)') AS comment
--: FROM otel_logs
--: WHERE isValidJSON(Body)
--:   AND parseDateTime64BestEffortOrNull(JSONExtractString(Body, 'ts'), 3, 'UTC') IS NOT NULL;
