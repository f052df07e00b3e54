-- name: sagemaker_training_job_flat
-- description: One row per job (current state), scalar columns only, ready for QuickSight: sizes, times, billable instance-hours, spot savings and one tag_<key> column per cost-allocation tag key.
CREATE OR REPLACE VIEW sagemaker_training_job_flat AS
SELECT
  training_job_name,
  _key AS training_job_arn,
  account_id,
  region,
  snapshot_date,
  training_job_status,
  secondary_status,
  failure_reason,
  json_extract_scalar(resource_config, '$.InstanceType') AS instance_type,
  CAST(json_extract_scalar(resource_config, '$.InstanceCount') AS bigint) AS instance_count,
  CAST(json_extract_scalar(resource_config, '$.VolumeSizeInGB') AS bigint) AS volume_size_in_gb,
  coalesce(enable_managed_spot_training, false) AS managed_spot_training,
  CAST(json_extract_scalar(stopping_condition, '$.MaxRuntimeInSeconds') AS bigint) AS max_runtime_in_seconds,
  CAST(json_extract_scalar(stopping_condition, '$.MaxWaitTimeInSeconds') AS bigint) AS max_wait_time_in_seconds,
  training_time_in_seconds,
  billable_time_in_seconds,
  billable_time_in_seconds * CAST(json_extract_scalar(resource_config, '$.InstanceCount') AS bigint) AS billable_instance_seconds,
  billable_time_in_seconds * CAST(json_extract_scalar(resource_config, '$.InstanceCount') AS bigint) / 3600.0 AS billable_instance_hours,
  CASE
    WHEN enable_managed_spot_training AND training_time_in_seconds > 0
    THEN (1 - CAST(billable_time_in_seconds AS double) / training_time_in_seconds) * 100
  END AS spot_savings_percent,
  creation_time,
  training_start_time,
  training_end_time,
  last_modified_time,
  CAST(creation_time AS date) AS creation_date,
  date_format(creation_time, '%Y-%m') AS creation_month,
  coalesce(json_extract_scalar(algorithm_specification, '$.AlgorithmName'), json_extract_scalar(algorithm_specification, '$.TrainingImage')) AS algorithm_or_image,
  tuning_job_arn,
  auto_ml_job_arn,
  labeling_job_arn,
  role_arn,
  /* tag_columns */
FROM sagemaker_training_job_current
