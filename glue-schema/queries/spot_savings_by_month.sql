-- name: spot_savings_by_month
-- description: What managed spot training saved per month in US dollars: the on-demand price of the spot jobs' training time minus what their billable time cost.
SELECT
  cost_month AS month,
  count(*) AS spot_jobs,
  round(sum(compute_cost_usd), 2) AS compute_cost_usd,
  round(sum(on_demand_equivalent_usd), 2) AS on_demand_equivalent_usd,
  round(sum(spot_savings_usd), 2) AS spot_savings_usd,
  round(CAST(sum(spot_savings_usd) AS double) / nullif(sum(on_demand_equivalent_usd), 0) * 100, 1) AS savings_percent
FROM sagemaker_training_job_cost
WHERE managed_spot_training = 'true' AND compute_cost_usd IS NOT NULL
GROUP BY cost_month
ORDER BY month DESC
