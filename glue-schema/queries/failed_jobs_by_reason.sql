-- name: failed_jobs_by_reason
-- description: Failed jobs per failure category (the text before the first colon of FailureReason) and month, with the instance-hours they billed.
SELECT
  creation_month AS month,
  split_part(failure_reason, ':', 1) AS failure_category,
  count(*) AS failed_jobs,
  round(sum(coalesce(billable_instance_seconds, 0)) / 3600e0, 2) AS billable_instance_hours
FROM sagemaker_training_job_flat
WHERE training_job_status = 'Failed'
GROUP BY creation_month, split_part(failure_reason, ':', 1)
ORDER BY month DESC, failed_jobs DESC, failure_category
