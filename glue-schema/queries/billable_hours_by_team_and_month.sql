-- name: billable_hours_by_team_and_month
-- description: Billable instance-hours per creation month and team tag; jobs without one count as (untagged).
SELECT
  creation_month AS month,
  coalesce(tag_team, '(untagged)') AS team,
  count(*) AS jobs,
  round(sum(billable_instance_seconds) / 3600e0, 2) AS billable_instance_hours
FROM sagemaker_training_job_flat
WHERE billable_instance_seconds IS NOT NULL
GROUP BY creation_month, coalesce(tag_team, '(untagged)')
ORDER BY month DESC, billable_instance_hours DESC
