-- name: sagemaker_training_job_live
-- description: Each job as it is now, minutes fresh: current, with each job replaced by its latest change (sagemaker_training_job_change, from EventBridge) recorded since the latest published run of its (account, region) started, plus jobs that exist only as such changes. Latest is decided by the job's last_modified_time, then by when it was recorded; each job once. source says where the row comes from (snapshot or change).
CREATE OR REPLACE VIEW sagemaker_training_job_live AS
WITH runs AS (
  -- Each target's latest published run and when it started: a change recorded before that is in the run, or superseded by it.
  SELECT f.account_id, f.region, f.stale, r.started_at
  FROM sagemaker_inventory_freshness AS f
  JOIN sagemaker_inventory_run AS r
    ON r.account_id = f.account_id
   AND r.region = f.region
   AND r.snapshot_date = f.last_snapshot_partition
   AND r.finished_at = f.last_finished_at
),
changes AS (
  SELECT c.*
  FROM sagemaker_training_job_change AS c
  LEFT JOIN runs
    ON runs.account_id = c.account_id
   AND runs.region = c.region
  -- A target with no published run yet has only its changes; a stale one has left current, and live with it.
  WHERE runs.account_id IS NULL
     OR (NOT runs.stale
         -- On the partition key too, so only the partitions recorded since the run are read.
         AND c.recorded_date >= date_format(runs.started_at, '%Y-%m-%d')
         AND c.recorded_at > runs.started_at)
),
snapshot_rows AS (
  SELECT j.*, runs.started_at AS run_started_at
  FROM sagemaker_training_job_current AS j
  JOIN runs
    ON runs.account_id = j.account_id
   AND runs.region = j.region
),
candidates AS (
  SELECT /* job_columns */, snapshot_date, region, 'snapshot' AS source, run_started_at AS recorded_at
  FROM snapshot_rows
  UNION ALL
  SELECT /* job_columns */, recorded_date AS snapshot_date, region, 'change' AS source, recorded_at
  FROM changes
),
ranked AS (
  SELECT
    candidates.*,
    -- The job's own clock first, so events applied late or out of order never roll a job back.
    row_number() OVER (PARTITION BY _key ORDER BY last_modified_time DESC NULLS LAST, recorded_at DESC, source DESC) AS recency
  FROM candidates
)
SELECT /* job_columns */, snapshot_date, region, source, recorded_at
FROM ranked
WHERE recency = 1
