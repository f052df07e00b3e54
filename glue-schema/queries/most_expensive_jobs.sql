-- name: most_expensive_jobs
-- description: The 20 most expensive jobs ever seen (deleted ones included) by estimated total cost in US dollars (compute and warm pool), with their team, status and instances.
SELECT
  training_job_name,
  account_id,
  region,
  coalesce(tag_team, '(untagged)') AS team,
  training_job_status,
  instance_type,
  instance_count,
  managed_spot_training,
  round(billable_instance_seconds / 3600e0, 2) AS billable_instance_hours,
  round(total_cost_usd, 2) AS total_cost_usd
FROM sagemaker_training_job_cost
WHERE total_cost_usd IS NOT NULL
ORDER BY total_cost_usd DESC, _key
LIMIT 20
