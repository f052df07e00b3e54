-- name: sagemaker_training_job_flat
-- description: One row per job ever seen (its latest known state; deleted ones flagged, see sagemaker_training_job_all), scalar columns only, ready for QuickSight: capacity shape, instance type and count for every shape (single type, instance groups, instance preferences), sizes, times, billable instance-hours, spot savings, estimated cost in US dollars and one tag_<key> column per cost-allocation tag key.
CREATE OR REPLACE VIEW sagemaker_training_job_flat AS
WITH resources AS (
  -- ResourceConfig has three shapes: InstanceType + InstanceCount; InstanceGroups (a heterogeneous
  -- cluster, at most 5 groups per the API); or InstancePreferences, where SageMaker picks one type and
  -- reports it as SelectedInstanceType / SelectedInstanceCount once chosen.
  SELECT
    c.*,
    json_extract_scalar(resource_config, '$.InstanceType') AS requested_instance_type,
    CAST(json_extract_scalar(resource_config, '$.InstanceCount') AS bigint) AS requested_instance_count,
    json_extract_scalar(resource_config, '$.InstancePreferences[0].InstanceType') AS first_preferred_instance_type,
    json_extract_scalar(resource_config, '$.SelectedInstanceType') AS selected_instance_type,
    CAST(json_extract_scalar(resource_config, '$.SelectedInstanceCount') AS bigint) AS selected_instance_count,
    json_extract_scalar(resource_config, '$.InstanceGroups[0].InstanceType') AS group_1_type,
    json_extract_scalar(resource_config, '$.InstanceGroups[1].InstanceType') AS group_2_type,
    json_extract_scalar(resource_config, '$.InstanceGroups[2].InstanceType') AS group_3_type,
    json_extract_scalar(resource_config, '$.InstanceGroups[3].InstanceType') AS group_4_type,
    json_extract_scalar(resource_config, '$.InstanceGroups[4].InstanceType') AS group_5_type,
    CAST(json_extract_scalar(resource_config, '$.InstanceGroups[0].InstanceCount') AS bigint) AS group_1_count,
    CAST(json_extract_scalar(resource_config, '$.InstanceGroups[1].InstanceCount') AS bigint) AS group_2_count,
    CAST(json_extract_scalar(resource_config, '$.InstanceGroups[2].InstanceCount') AS bigint) AS group_3_count,
    CAST(json_extract_scalar(resource_config, '$.InstanceGroups[3].InstanceCount') AS bigint) AS group_4_count,
    CAST(json_extract_scalar(resource_config, '$.InstanceGroups[4].InstanceCount') AS bigint) AS group_5_count
  FROM sagemaker_training_job_all AS c
),
sized AS (
  SELECT
    r.*,
    CASE
      WHEN group_1_type IS NOT NULL THEN 'instance_groups'
      WHEN first_preferred_instance_type IS NOT NULL OR selected_instance_type IS NOT NULL THEN 'instance_preferences'
      ELSE 'instance_type'
    END AS capacity_shape,
    CASE
      -- Several groups are 'mixed' (as in the cost view), a single group is its type.
      WHEN group_2_type IS NOT NULL THEN 'mixed'
      WHEN group_1_type IS NOT NULL THEN group_1_type
      WHEN first_preferred_instance_type IS NOT NULL OR selected_instance_type IS NOT NULL THEN selected_instance_type
      ELSE requested_instance_type
    END AS instance_type,
    CASE
      WHEN group_1_type IS NOT NULL THEN
        coalesce(group_1_count, 0) + coalesce(group_2_count, 0) + coalesce(group_3_count, 0) + coalesce(group_4_count, 0) + coalesce(group_5_count, 0)
      WHEN first_preferred_instance_type IS NOT NULL OR selected_instance_type IS NOT NULL THEN coalesce(selected_instance_count, requested_instance_count)
      ELSE requested_instance_count
    END AS instance_count
  FROM resources AS r
)
SELECT
  training_job_name,
  _key AS training_job_arn,
  account_id,
  region,
  -- The snapshot the row comes from: the latest that held the job.
  CAST(last_snapshot_date AS date) AS snapshot_date,
  CAST(first_snapshot_date AS date) AS first_snapshot_date,
  -- Gone from its target's latest snapshot (DeleteTrainingJob): kept for cost and history, not in current.
  CASE WHEN deleted THEN 'true' ELSE 'false' END AS deleted,
  training_job_status,
  secondary_status,
  failure_reason,
  capacity_shape,
  instance_type,
  instance_count,
  CAST(json_extract_scalar(resource_config, '$.VolumeSizeInGB') AS bigint) AS volume_size_in_gb,
  -- QuickSight turns booleans into 0/1 integers; a 'true'/'false' text column filters and labels as expected.
  CASE WHEN enable_managed_spot_training THEN 'true' ELSE 'false' END AS managed_spot_training,
  CAST(json_extract_scalar(stopping_condition, '$.MaxRuntimeInSeconds') AS bigint) AS max_runtime_in_seconds,
  CAST(json_extract_scalar(stopping_condition, '$.MaxWaitTimeInSeconds') AS bigint) AS max_wait_time_in_seconds,
  training_time_in_seconds,
  billable_time_in_seconds,
  billable_time_in_seconds * instance_count AS billable_instance_seconds,
  billable_time_in_seconds * instance_count / 3600e0 AS billable_instance_hours,
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
  -- Estimated cost in US dollars, from the cost view (NULL unless cost_status is priced or priced_with_later_price).
  cost.cost_usd_per_hour AS usd_per_hour,
  cost.cost_compute_usd AS compute_cost_usd,
  cost.cost_warm_pool_usd AS warm_pool_cost_usd,
  cost.cost_total_usd AS total_cost_usd,
  cost.cost_on_demand_equivalent_usd AS on_demand_equivalent_usd,
  cost.cost_spot_savings_usd AS spot_savings_usd,
  cost.cost_status,
  cost.cost_price_snapshot_date AS price_snapshot_date,
  /* tag_columns */
FROM sized
LEFT JOIN (
  SELECT
    _key AS cost_key,
    creation_time AS cost_creation_time,
    usd_per_hour AS cost_usd_per_hour,
    compute_cost_usd AS cost_compute_usd,
    warm_pool_cost_usd AS cost_warm_pool_usd,
    total_cost_usd AS cost_total_usd,
    on_demand_equivalent_usd AS cost_on_demand_equivalent_usd,
    spot_savings_usd AS cost_spot_savings_usd,
    cost_status,
    price_snapshot_date AS cost_price_snapshot_date
  FROM sagemaker_training_job_cost
) AS cost
  ON cost.cost_key = sized._key
 AND cost.cost_creation_time = sized.creation_time
