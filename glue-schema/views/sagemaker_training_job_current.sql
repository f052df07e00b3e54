-- name: sagemaker_training_job_current
-- description: Each job as of the latest published run of its own (account, region) in sagemaker_inventory_run: a region whose run failed today still shows yesterday's state, and one whose latest run found no jobs shows none.
CREATE OR REPLACE VIEW sagemaker_training_job_current AS
SELECT j.*
FROM sagemaker_training_job AS j
JOIN (
  -- A run row is written only after its snapshot object is published, so each row names a readable snapshot.
  SELECT account_id, region, max(snapshot_date) AS latest_snapshot_date
  FROM sagemaker_inventory_run
  WHERE status IN ('complete', 'incomplete')
  GROUP BY account_id, region
) AS latest
  ON j.account_id = latest.account_id
 AND j.region = latest.region
 AND j.snapshot_date = latest.latest_snapshot_date
