-- name: failed_and_stopped_spend_by_team
-- description: Money spent on jobs that failed or were stopped, per team tag and status, in US dollars: compute and warm pool of jobs that produced no completed model.
SELECT
  coalesce(tag_team, '(untagged)') AS team,
  training_job_status,
  count(*) AS jobs,
  round(sum(total_cost_usd), 2) AS total_cost_usd
FROM sagemaker_training_job_cost
WHERE training_job_status IN ('Failed', 'Stopped') AND total_cost_usd IS NOT NULL
GROUP BY coalesce(tag_team, '(untagged)'), training_job_status
ORDER BY total_cost_usd DESC
