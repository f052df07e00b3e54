-- name: cost_by_team_and_month
-- description: Estimated training cost in US dollars per month and team tag (jobs without one count as (untagged)), priced jobs only.
SELECT
  cost_month AS month,
  coalesce(tag_team, '(untagged)') AS team,
  count(*) AS priced_jobs,
  round(sum(total_cost_usd), 2) AS total_cost_usd
FROM sagemaker_training_job_cost
WHERE total_cost_usd IS NOT NULL
GROUP BY cost_month, coalesce(tag_team, '(untagged)')
ORDER BY month DESC, total_cost_usd DESC
