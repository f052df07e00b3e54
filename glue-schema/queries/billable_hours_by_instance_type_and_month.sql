-- name: billable_hours_by_instance_type_and_month
-- description: Billable instance-hours (BillableTimeInSeconds x InstanceCount) per creation month and instance type.
SELECT
  date_format(creation_time, '%Y-%m') AS month,
  json_extract_scalar(resource_config, '$.InstanceType') AS instance_type,
  count(*) AS jobs,
  round(sum(billable_time_in_seconds * CAST(json_extract_scalar(resource_config, '$.InstanceCount') AS bigint)) / 3600.0, 2) AS billable_instance_hours
FROM sagemaker_training_job_current
WHERE billable_time_in_seconds IS NOT NULL
GROUP BY date_format(creation_time, '%Y-%m'), json_extract_scalar(resource_config, '$.InstanceType')
ORDER BY month DESC, billable_instance_hours DESC
