-- name: cost_by_instance_type
-- description: Estimated training cost in US dollars and billable instance-hours per instance type (mixed for heterogeneous clusters), priced jobs only.
SELECT
  instance_type,
  count(*) AS priced_jobs,
  round(sum(billable_instance_seconds) / 3600e0, 2) AS billable_instance_hours,
  round(sum(total_cost_usd), 2) AS total_cost_usd
FROM sagemaker_training_job_cost
WHERE total_cost_usd IS NOT NULL
GROUP BY instance_type
ORDER BY total_cost_usd DESC
