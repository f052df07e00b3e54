-- name: live_changes_since_snapshot
-- description: What the EventBridge state changes applied since each target's latest snapshot changed: jobs per status in current (NULL for jobs new since the snapshot) and status in live, for the jobs whose live row comes from a change.
SELECT
  c.training_job_status AS current_status,
  l.training_job_status AS live_status,
  count(*) AS jobs
FROM sagemaker_training_job_live AS l
LEFT JOIN sagemaker_training_job_current AS c ON c._key = l._key
WHERE l.source = 'change'
GROUP BY c.training_job_status, l.training_job_status
ORDER BY jobs DESC, current_status, live_status
