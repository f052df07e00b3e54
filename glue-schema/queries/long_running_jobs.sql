-- name: long_running_jobs
-- description: Jobs still in progress that have used at least 80% of their MaxRuntimeInSeconds: candidates for MaxRuntimeExceeded.
SELECT
  training_job_name,
  account_id,
  region,
  instance_type,
  instance_count,
  date_diff('second', coalesce(training_start_time, creation_time), current_timestamp) AS elapsed_seconds,
  max_runtime_in_seconds,
  round(100e0 * date_diff('second', coalesce(training_start_time, creation_time), current_timestamp) / max_runtime_in_seconds, 1) AS percent_of_max_runtime
FROM sagemaker_training_job_flat
WHERE training_job_status = 'InProgress'
  AND deleted = 'false'
  AND max_runtime_in_seconds > 0
  AND date_diff('second', coalesce(training_start_time, creation_time), current_timestamp) >= 0.8e0 * max_runtime_in_seconds
ORDER BY percent_of_max_runtime DESC
