-- name: sagemaker_training_job_current
-- description: Each job as it exists now: the rows of the object committed by the latest run of each (account, region) that is not stale (see sagemaker_inventory_freshness). A region whose run failed today still shows yesterday's state, one whose latest run found no jobs shows none, and one that stopped being a target leaves after the configured days without a run.
CREATE OR REPLACE VIEW sagemaker_training_job_current AS
SELECT j.*
FROM sagemaker_training_job_committed AS j
JOIN sagemaker_inventory_freshness AS latest
  ON j.account_id = latest.account_id
 AND j.region = latest.region
 AND j.snapshot_date = latest.last_snapshot_partition
WHERE NOT latest.stale
