-- name: billed_vs_estimated_by_month
-- description: Billed (effective) against estimated training cost per month (the job's cost month), in US dollars, with billed_to_estimated_ratio over the jobs that have both: what the cost report charts.
SELECT
  cost_month AS month,
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
WHERE cost_month IS NOT NULL
GROUP BY cost_month
ORDER BY month
