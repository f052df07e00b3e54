-- name: sagemaker_inventory_freshness
-- description: When each (account, region) last published a snapshot: its date, status, mode and jobs, when it finished and how many hours ago, the date of its last complete run, and how many runs it has had.
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
  runs
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
    count(*) OVER (PARTITION BY account_id, region) AS runs
  FROM sagemaker_inventory_run
  WHERE status IN ('complete', 'incomplete')
) AS ranked
WHERE recency = 1
