-- name: billed_cost_by_team_and_month
-- description: Billed training cost (Cost and Usage Report) per billing month and team, the team read from the inventory's tags (so tags never activated for cost allocation count too; jobs without one count as (untagged)), in US dollars.
SELECT
  l.billing_period AS month,
  coalesce(b.tag_team, '(untagged)') AS team,
  count(DISTINCT b._key) AS billed_jobs,
  round(sum(l.unblended_cost), 2) AS unblended_cost_usd,
  round(sum(l.effective_cost), 2) AS effective_cost_usd
FROM sagemaker_cur_training_line AS l
JOIN sagemaker_training_job_billed_cost AS b ON l.training_job_arn = lower(b.training_job_arn)
GROUP BY l.billing_period, coalesce(b.tag_team, '(untagged)')
ORDER BY month DESC, effective_cost_usd DESC
