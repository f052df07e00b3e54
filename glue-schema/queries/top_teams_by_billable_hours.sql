-- name: top_teams_by_billable_hours
-- description: Billable instance-hours per value of the team tag; jobs without one count as (untagged).
SELECT
  coalesce(tag_team, '(untagged)') AS team,
  count(*) AS jobs,
  round(sum(billable_instance_seconds) / 3600e0, 2) AS billable_instance_hours
FROM sagemaker_training_job_flat
WHERE billable_instance_seconds IS NOT NULL
GROUP BY coalesce(tag_team, '(untagged)')
ORDER BY billable_instance_hours DESC, team
LIMIT 10
