-- name: sagemaker_training_job_all
-- description: Every job ever seen, once each (a job is its ARN and creation time: names are reused after DeleteTrainingJob): its latest known row, first_snapshot_date (NULL for jobs first seen before the ledger existed), last_snapshot_date, and deleted (absent from its target's latest published run). Reads each target's latest snapshot and the ledger, never every daily partition.
CREATE OR REPLACE VIEW sagemaker_training_job_all AS
WITH latest AS (
  -- Each target's latest published run, stale or not: jobs of an account that left still happened.
  SELECT j.*
  FROM sagemaker_training_job_committed AS j
  JOIN sagemaker_inventory_freshness AS f
    ON j.account_id = f.account_id
   AND j.region = f.region
   AND j.snapshot_date = f.last_snapshot_partition
),
ledger AS (
  -- The ledger objects the run records name (ledger_object; a record from before it had the column names
  -- the one object of its date), so an object of a run that did not commit is never read.
  SELECT l.*
  FROM sagemaker_training_job_ledger AS l
  JOIN sagemaker_inventory_run AS r
    ON r.account_id = l.account_id
   AND r.region = l.region
   AND r.snapshot_date = l.snapshot_date
   AND split_part(l."$path", '/region=', 2) = CASE
     WHEN r.ledger_object IS NULL THEN r.region || '/' || r.account_id || '.parquet'
     ELSE split_part(r.ledger_object, '/region=', 2)
   END
),
departures AS (
  SELECT
    l.*,
    row_number() OVER (PARTITION BY l._key, l.creation_time ORDER BY l.snapshot_date DESC) AS recency
  FROM ledger AS l
  WHERE l.event = 'deleted'
),
deleted AS (
  -- A job the ledger saw leave, and that its target's latest snapshot does not hold.
  SELECT d.*
  FROM departures AS d
  WHERE d.recency = 1
    AND NOT EXISTS (SELECT 1 FROM latest AS e WHERE e._key = d._key AND e.creation_time = d.creation_time)
),
first_seen AS (
  SELECT _key AS first_key, creation_time AS first_creation_time, min(snapshot_date) AS first_snapshot_date
  FROM ledger
  WHERE event = 'first_seen'
  GROUP BY _key, creation_time
),
every_job AS (
  SELECT /* job_columns */, region, snapshot_date AS last_snapshot_date, false AS deleted
  FROM latest
  UNION ALL
  SELECT /* job_columns */, region, last_snapshot_date, true AS deleted
  FROM deleted
)
SELECT every_job.*, first_seen.first_snapshot_date
FROM every_job
LEFT JOIN first_seen
  ON first_seen.first_key = every_job._key
 AND first_seen.first_creation_time = every_job.creation_time
