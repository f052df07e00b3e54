-- name: top_teams_by_billable_hours
-- description: Billable instance-hours per value of the team tag; jobs without one count as (untagged).
SELECT
  coalesce(element_at(tags, 'team'), '(untagged)') AS team,
  count(*) AS jobs,
  round(sum(billable_time_in_seconds * CAST(json_extract_scalar(resource_config, '$.InstanceCount') AS bigint)) / 3600.0, 2) AS billable_instance_hours
FROM sagemaker_training_job_current
WHERE billable_time_in_seconds IS NOT NULL
GROUP BY coalesce(element_at(tags, 'team'), '(untagged)')
ORDER BY billable_instance_hours DESC
LIMIT 10
