-- name: cost_by_month
-- description: Estimated training cost in US dollars per month (the month each job ended): compute, warm pools and total, and how many jobs had no price.
SELECT
  cost_month AS month,
  count(*) AS jobs,
  sum(CASE WHEN cost_status = 'no_price' THEN 1 ELSE 0 END) AS jobs_without_price,
  round(sum(compute_cost_usd), 2) AS compute_cost_usd,
  round(sum(warm_pool_cost_usd), 2) AS warm_pool_cost_usd,
  round(sum(total_cost_usd), 2) AS total_cost_usd
FROM sagemaker_training_job_cost
GROUP BY cost_month
ORDER BY month DESC
