-- name: sagemaker_training_job_history
-- description: Status changes between consecutive snapshots of each job: from which status to which, first seen on which snapshot date (a job's first snapshot has from_status NULL).
CREATE OR REPLACE VIEW sagemaker_training_job_history AS
SELECT
  _key AS training_job_arn,
  training_job_name,
  account_id,
  region,
  previous_status AS from_status,
  training_job_status AS to_status,
  snapshot_date AS first_seen_date
FROM (
  SELECT
    _key,
    training_job_name,
    account_id,
    region,
    training_job_status,
    snapshot_date,
    lag(training_job_status) OVER (PARTITION BY _key ORDER BY snapshot_date) AS previous_status
  FROM sagemaker_training_job_committed
) AS snapshots
WHERE previous_status IS NULL OR previous_status <> training_job_status
