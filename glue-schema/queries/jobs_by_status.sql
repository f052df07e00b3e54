-- name: jobs_by_status
-- description: Current jobs per status and secondary status.
SELECT
  training_job_status,
  secondary_status,
  count(*) AS jobs
FROM sagemaker_training_job_current
GROUP BY training_job_status, secondary_status
ORDER BY jobs DESC, training_job_status, secondary_status
