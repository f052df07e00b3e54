-- name: sagemaker_training_job_current
-- description: Each job as of the newest snapshot of its own (account, region), so a region whose run failed today still shows yesterday's state.
CREATE OR REPLACE VIEW sagemaker_training_job_current AS
SELECT j.*
FROM sagemaker_training_job AS j
JOIN (
  SELECT account_id, region, max(snapshot_date) AS latest_snapshot_date
  FROM sagemaker_training_job
  GROUP BY account_id, region
) AS latest
  ON j.account_id = latest.account_id
 AND j.region = latest.region
 AND j.snapshot_date = latest.latest_snapshot_date
