-- name: spot_savings
-- description: Managed spot training savings per instance type: (1 - billable / training time) x 100, weighted by instance count.
SELECT
  instance_type,
  count(*) AS spot_jobs,
  round(sum(training_time_in_seconds * instance_count) / 3600e0, 2) AS training_instance_hours,
  round(sum(billable_instance_seconds) / 3600e0, 2) AS billable_instance_hours,
  round((1 - sum(billable_instance_seconds) / CAST(nullif(sum(training_time_in_seconds * instance_count), 0) AS double)) * 100, 1) AS savings_percent
FROM sagemaker_training_job_flat
WHERE managed_spot_training = 'true' AND training_time_in_seconds > 0
GROUP BY instance_type
ORDER BY billable_instance_hours DESC, instance_type
