-- name: sagemaker_training_job_committed
-- description: The rows of every committed snapshot object: for each (account, region, date), the one object its run record names (sagemaker_inventory_run.snapshot_object). A run writes its object beside the committed one and commits it by writing its run record, so the object of a run that has not committed (or failed to) is in the table's folder but never here. The other views read snapshots through this one.
CREATE OR REPLACE VIEW sagemaker_training_job_committed AS
SELECT /* job_columns */, snapshot_date, region
FROM sagemaker_training_job AS j
-- One run record per (account, region, date): the join keeps each committed row once.
JOIN (
  SELECT
    account_id AS run_account_id,
    region AS run_region,
    snapshot_date AS run_snapshot_date,
    -- The object's place in its partition folder, compared rather than the whole location ("$path" is
    -- its s3:// URL in Athena, its path in DuckDB), so a copy of the warehouse under another root reads the same.
    split_part(snapshot_object, '/region=', 2) AS run_object
  FROM sagemaker_inventory_run
) AS r
  ON r.run_account_id = j.account_id
 AND r.run_region = j.region
 AND r.run_snapshot_date = j.snapshot_date
 AND r.run_object = split_part(j."$path", '/region=', 2)
