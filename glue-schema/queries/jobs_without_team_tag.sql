-- name: jobs_without_team_tag
-- description: Jobs with no team tag per account, region and month: the cost no team owns, and the roles that launched them.
SELECT
  account_id,
  region,
  creation_month AS month,
  count(*) AS jobs,
  round(sum(coalesce(billable_instance_seconds, 0)) / 3600e0, 2) AS billable_instance_hours,
  count(DISTINCT role_arn) AS distinct_roles
FROM sagemaker_training_job_flat
WHERE tag_team IS NULL
GROUP BY account_id, region, creation_month
ORDER BY month DESC, billable_instance_hours DESC
