-- name: billable_hours_by_instance_type_and_month
-- description: Billable instance-hours (BillableTimeInSeconds x instance count, for every capacity shape) per creation month and instance type; heterogeneous clusters of several types count as mixed.
SELECT
  creation_month AS month,
  instance_type,
  count(*) AS jobs,
  round(sum(billable_instance_seconds) / 3600e0, 2) AS billable_instance_hours
FROM sagemaker_training_job_flat
WHERE billable_instance_seconds IS NOT NULL
GROUP BY creation_month, instance_type
ORDER BY month DESC, billable_instance_hours DESC, instance_type
