-- name: sagemaker_inventory_freshness
-- description: When each (account, region) last published a snapshot: its date, status, mode and jobs, when it finished and how many hours ago, the date of its last complete run, how many runs it has had, how many days it is behind the newest run, and whether that makes it stale (no longer in current).
CREATE OR REPLACE VIEW sagemaker_inventory_freshness AS
SELECT
  account_id,
  region,
  CAST(snapshot_date AS date) AS last_snapshot_date,
  status AS last_status,
  mode AS last_mode,
  jobs_written,
  jobs_set_aside,
  finished_at AS last_finished_at,
  date_diff('second', finished_at, current_timestamp) / 3600e0 AS hours_since_last_run,
  last_complete_snapshot_date,
  runs,
  -- Days between this target's latest run and the newest run of any target. Measured against the
  -- warehouse's own newest run, not today, so a schedule that stopped altogether empties nothing.
  date_diff('day', CAST(snapshot_date AS date), CAST(newest_snapshot_date AS date)) AS days_without_run,
  -- A target that stopped being one (account left or excluded, region removed) is stale once it has gone
  -- this many days without a run; `current` then leaves its jobs out. The number is the configured setting.
  date_diff('day', CAST(snapshot_date AS date), CAST(newest_snapshot_date AS date)) > 7 /* stale_after_days */ AS stale,
  -- The partition value of the latest run, for joins to the tables' snapshot_date.
  snapshot_date AS last_snapshot_partition
FROM (
  SELECT
    account_id,
    region,
    snapshot_date,
    status,
    mode,
    jobs_written,
    jobs_set_aside,
    finished_at,
    row_number() OVER (PARTITION BY account_id, region ORDER BY snapshot_date DESC, finished_at DESC) AS recency,
    max(CASE WHEN status = 'complete' THEN CAST(snapshot_date AS date) END) OVER (PARTITION BY account_id, region) AS last_complete_snapshot_date,
    count(*) OVER (PARTITION BY account_id, region) AS runs,
    max(snapshot_date) OVER () AS newest_snapshot_date
  FROM sagemaker_inventory_run
  -- A run row is written only after its snapshot object is published, so each row names a readable snapshot.
  WHERE status IN ('complete', 'incomplete')
) AS ranked
WHERE recency = 1
