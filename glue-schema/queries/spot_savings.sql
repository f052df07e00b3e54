-- name: spot_savings
-- description: Managed spot training savings per instance type: (1 - billable / training time) x 100, weighted by instance count.
SELECT
  json_extract_scalar(resource_config, '$.InstanceType') AS instance_type,
  count(*) AS spot_jobs,
  round(sum(training_time_in_seconds * CAST(json_extract_scalar(resource_config, '$.InstanceCount') AS bigint)) / 3600.0, 2) AS training_instance_hours,
  round(sum(billable_time_in_seconds * CAST(json_extract_scalar(resource_config, '$.InstanceCount') AS bigint)) / 3600.0, 2) AS billable_instance_hours,
  round(
    (1 - CAST(sum(billable_time_in_seconds * CAST(json_extract_scalar(resource_config, '$.InstanceCount') AS bigint)) AS double)
       / nullif(sum(training_time_in_seconds * CAST(json_extract_scalar(resource_config, '$.InstanceCount') AS bigint)), 0)) * 100,
    1
  ) AS savings_percent
FROM sagemaker_training_job_current
WHERE enable_managed_spot_training AND training_time_in_seconds > 0
GROUP BY json_extract_scalar(resource_config, '$.InstanceType')
ORDER BY billable_instance_hours DESC
