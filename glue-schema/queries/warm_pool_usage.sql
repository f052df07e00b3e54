-- name: warm_pool_usage
-- description: Warm pools per status and instance type: jobs, pools reused by a later job, and the retained (billable) instance-hours kept warm.
SELECT
  json_extract_scalar(j.warm_pool_status, '$.Status') AS warm_pool_status,
  f.instance_type,
  count(*) AS jobs,
  count(json_extract_scalar(j.warm_pool_status, '$.ReusedByJob')) AS reused_by_a_later_job,
  round(sum(coalesce(CAST(json_extract_scalar(j.warm_pool_status, '$.ResourceRetainedBillableTimeInSeconds') AS bigint), 0) * f.instance_count) / 3600e0, 2) AS retained_instance_hours
FROM sagemaker_training_job_current AS j
JOIN sagemaker_training_job_flat AS f ON f.training_job_arn = j._key AND f.creation_time = j.creation_time AND f.deleted = 'false'
WHERE j.warm_pool_status IS NOT NULL
GROUP BY json_extract_scalar(j.warm_pool_status, '$.Status'), f.instance_type
ORDER BY retained_instance_hours DESC, jobs DESC
