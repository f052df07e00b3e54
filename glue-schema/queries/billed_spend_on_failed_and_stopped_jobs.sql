-- name: billed_spend_on_failed_and_stopped_jobs
-- description: What the Cost and Usage Report billed for jobs that failed or were stopped, per team tag and status, in US dollars, beside the estimate of the same jobs.
SELECT
  coalesce(tag_team, '(untagged)') AS team,
  training_job_status,
  count(*) AS jobs,
  count(CASE WHEN billing_status = 'billed' THEN 1 END) AS billed_jobs,
  round(sum(unblended_cost_usd), 2) AS unblended_cost_usd,
  round(sum(effective_cost_usd), 2) AS effective_cost_usd,
  round(sum(estimated_total_cost_usd), 2) AS estimated_cost_usd
FROM sagemaker_training_job_billed_cost
WHERE training_job_status IN ('Failed', 'Stopped')
GROUP BY coalesce(tag_team, '(untagged)'), training_job_status
ORDER BY effective_cost_usd DESC
