-- name: estimated_vs_billed_by_month_and_instance_type
-- description: The estimate against the bill per month (the job's cost month) and instance type, in US dollars: estimated and billed (effective) cost of every job, and billed_to_estimated_ratio over the jobs that have both, so a job missing from one side does not skew it.
SELECT
  cost_month AS month,
  instance_type,
  count(*) AS jobs,
  count(CASE WHEN billing_status = 'billed' THEN 1 END) AS billed_jobs,
  round(sum(estimated_total_cost_usd), 2) AS estimated_cost_usd,
  round(sum(effective_cost_usd), 2) AS billed_effective_cost_usd,
  round(
    sum(CASE WHEN estimated_total_cost_usd IS NOT NULL THEN effective_cost_usd END)
      / nullif(sum(CASE WHEN effective_cost_usd IS NOT NULL THEN estimated_total_cost_usd END), 0e0),
    4
  ) AS billed_to_estimated_ratio
FROM sagemaker_training_job_billed_cost
GROUP BY cost_month, instance_type
ORDER BY month DESC, billed_effective_cost_usd DESC
