-- name: sagemaker_training_job_cost
-- description: One row per job ever seen (deleted ones included, see sagemaker_training_job_all) with its estimated cost in US dollars: billable seconds x instances x the on-demand training price of the latest price snapshot not after the job's end (creation while running), warm pool, on-demand equivalent, spot savings, cost_status and one tag_<key> column per cost-allocation tag key.
CREATE OR REPLACE VIEW sagemaker_training_job_cost AS
WITH jobs AS (
  SELECT
    _key,
    account_id,
    region,
    training_job_name,
    training_job_status,
    deleted,
    tags,
    resource_config,
    coalesce(enable_managed_spot_training, false) AS managed_spot_training,
    billable_time_in_seconds,
    training_time_in_seconds,
    CAST(json_extract_scalar(warm_pool_status, '$.ResourceRetainedBillableTimeInSeconds') AS bigint) AS warm_pool_retained_seconds,
    creation_time,
    training_end_time,
    -- Prices are looked up as of the day the job ended; a running job's as of the day it was created.
    date_format(coalesce(training_end_time, creation_time), '%Y-%m-%d') AS price_date,
    -- Prepaid capacity: a training plan on the job, or on the instance preference SageMaker selected.
    json_extract_scalar(resource_config, '$.TrainingPlanArn') IS NOT NULL
      OR (json_extract_scalar(resource_config, '$.InstancePreferences[0].TrainingPlanArns[0]') IS NOT NULL
          AND json_extract_scalar(resource_config, '$.InstancePreferences[0].InstanceType') = json_extract_scalar(resource_config, '$.SelectedInstanceType'))
      OR (json_extract_scalar(resource_config, '$.InstancePreferences[1].TrainingPlanArns[0]') IS NOT NULL
          AND json_extract_scalar(resource_config, '$.InstancePreferences[1].InstanceType') = json_extract_scalar(resource_config, '$.SelectedInstanceType'))
      OR (json_extract_scalar(resource_config, '$.InstancePreferences[2].TrainingPlanArns[0]') IS NOT NULL
          AND json_extract_scalar(resource_config, '$.InstancePreferences[2].InstanceType') = json_extract_scalar(resource_config, '$.SelectedInstanceType'))
      OR (json_extract_scalar(resource_config, '$.InstancePreferences[3].TrainingPlanArns[0]') IS NOT NULL
          AND json_extract_scalar(resource_config, '$.InstancePreferences[3].InstanceType') = json_extract_scalar(resource_config, '$.SelectedInstanceType'))
      OR (json_extract_scalar(resource_config, '$.InstancePreferences[4].TrainingPlanArns[0]') IS NOT NULL
          AND json_extract_scalar(resource_config, '$.InstancePreferences[4].InstanceType') = json_extract_scalar(resource_config, '$.SelectedInstanceType'))
      AS on_training_plan,
    -- No instance type in any shape (serverless training): nothing to price per instance-hour.
    json_extract_scalar(resource_config, '$.InstanceType') IS NULL
      AND json_extract_scalar(resource_config, '$.SelectedInstanceType') IS NULL
      AND json_extract_scalar(resource_config, '$.InstanceGroups[0].InstanceType') IS NULL
      AND json_extract_scalar(resource_config, '$.InstancePreferences[0].InstanceType') IS NULL
      AS without_instance_type
  FROM sagemaker_training_job_all
),
-- What a job is billed for, one row per instance group. InstanceGroups (a heterogeneous cluster, at most
-- 5 groups), when present, alone describes the cluster: a top-level InstanceType/InstanceCount the API
-- returns beside it is never added on top. Otherwise its one type and count, or the type and count
-- SageMaker selected from InstancePreferences.
instance_groups AS (
  SELECT
    _key,
    creation_time,
    region,
    price_date,
    0 AS group_index,
    coalesce(json_extract_scalar(resource_config, '$.InstanceType'), json_extract_scalar(resource_config, '$.SelectedInstanceType')) AS instance_type,
    coalesce(CAST(json_extract_scalar(resource_config, '$.SelectedInstanceCount') AS bigint), CAST(json_extract_scalar(resource_config, '$.InstanceCount') AS bigint)) AS instance_count
  FROM jobs
  WHERE coalesce(json_extract_scalar(resource_config, '$.InstanceType'), json_extract_scalar(resource_config, '$.SelectedInstanceType')) IS NOT NULL
    AND json_extract_scalar(resource_config, '$.InstanceGroups[0].InstanceType') IS NULL
  UNION ALL
  SELECT _key, creation_time, region, price_date, 1, json_extract_scalar(resource_config, '$.InstanceGroups[0].InstanceType'), CAST(json_extract_scalar(resource_config, '$.InstanceGroups[0].InstanceCount') AS bigint)
  FROM jobs WHERE json_extract_scalar(resource_config, '$.InstanceGroups[0].InstanceType') IS NOT NULL
  UNION ALL
  SELECT _key, creation_time, region, price_date, 2, json_extract_scalar(resource_config, '$.InstanceGroups[1].InstanceType'), CAST(json_extract_scalar(resource_config, '$.InstanceGroups[1].InstanceCount') AS bigint)
  FROM jobs WHERE json_extract_scalar(resource_config, '$.InstanceGroups[1].InstanceType') IS NOT NULL
  UNION ALL
  SELECT _key, creation_time, region, price_date, 3, json_extract_scalar(resource_config, '$.InstanceGroups[2].InstanceType'), CAST(json_extract_scalar(resource_config, '$.InstanceGroups[2].InstanceCount') AS bigint)
  FROM jobs WHERE json_extract_scalar(resource_config, '$.InstanceGroups[2].InstanceType') IS NOT NULL
  UNION ALL
  SELECT _key, creation_time, region, price_date, 4, json_extract_scalar(resource_config, '$.InstanceGroups[3].InstanceType'), CAST(json_extract_scalar(resource_config, '$.InstanceGroups[3].InstanceCount') AS bigint)
  FROM jobs WHERE json_extract_scalar(resource_config, '$.InstanceGroups[3].InstanceType') IS NOT NULL
  UNION ALL
  SELECT _key, creation_time, region, price_date, 5, json_extract_scalar(resource_config, '$.InstanceGroups[4].InstanceType'), CAST(json_extract_scalar(resource_config, '$.InstanceGroups[4].InstanceCount') AS bigint)
  FROM jobs WHERE json_extract_scalar(resource_config, '$.InstanceGroups[4].InstanceType') IS NOT NULL
),
-- The price snapshot for each group: the latest not after the job's price date, else the earliest there is.
price_choice AS (
  SELECT
    g._key,
    g.creation_time,
    g.group_index,
    coalesce(max(CASE WHEN p.snapshot_date <= g.price_date THEN p.snapshot_date END), min(p.snapshot_date)) AS price_snapshot_date
  FROM instance_groups AS g
  JOIN sagemaker_instance_price AS p ON p.region = g.region AND p.instance_type = g.instance_type
  GROUP BY g._key, g.creation_time, g.group_index
),
priced_groups AS (
  SELECT g._key, g.creation_time, g.instance_type, g.instance_count, g.price_date, c.price_snapshot_date, p.usd_per_hour
  FROM instance_groups AS g
  LEFT JOIN price_choice AS c ON c._key = g._key AND c.creation_time = g.creation_time AND c.group_index = g.group_index
  LEFT JOIN sagemaker_instance_price AS p
    ON p.region = g.region AND p.instance_type = g.instance_type AND p.snapshot_date = c.price_snapshot_date
),
job_rates AS (
  SELECT
    _key,
    creation_time,
    CASE WHEN count(*) > 1 THEN 'mixed' ELSE max(instance_type) END AS instance_type,
    sum(instance_count) AS instance_count,
    CASE WHEN count(*) = 1 THEN max(usd_per_hour) END AS usd_per_hour,
    -- NULL unless every group has a price: a partly priced cluster is not priced.
    CASE WHEN count(usd_per_hour) = count(*) THEN sum(instance_count * usd_per_hour) END AS cluster_usd_per_hour,
    CASE WHEN count(usd_per_hour) = count(*) THEN max(price_snapshot_date) END AS price_snapshot_date,
    max(CASE WHEN price_snapshot_date > price_date THEN 1 ELSE 0 END) AS uses_later_price
  FROM priced_groups
  GROUP BY _key, creation_time
),
costed AS (
  SELECT
    j.*,
    r.instance_type,
    r.instance_count,
    r.usd_per_hour,
    r.cluster_usd_per_hour,
    r.price_snapshot_date,
    CASE
      WHEN j.on_training_plan THEN 'training_plan'
      WHEN j.without_instance_type THEN 'no_instance_type'
      WHEN j.billable_time_in_seconds IS NULL THEN 'not_billed_yet'
      WHEN r.cluster_usd_per_hour IS NULL THEN 'no_price'
      WHEN r.uses_later_price = 1 THEN 'priced_with_later_price'
      ELSE 'priced'
    END AS cost_status,
    -- The rate the costs use: NULL (so every cost is NULL, never 0) until the job is billed and priced, and
    -- for prepaid training-plan capacity, which no on-demand price describes.
    CASE WHEN j.billable_time_in_seconds IS NOT NULL AND NOT j.on_training_plan THEN r.cluster_usd_per_hour END AS billed_usd_per_hour
  FROM jobs AS j
  LEFT JOIN job_rates AS r ON r._key = j._key AND r.creation_time = j.creation_time
)
SELECT
  _key,
  account_id,
  region,
  training_job_name,
  training_job_status,
  CASE WHEN deleted THEN 'true' ELSE 'false' END AS deleted,
  instance_type,
  instance_count,
  -- Text, as in the flat view: QuickSight turns booleans into 0/1 integers.
  CASE WHEN managed_spot_training THEN 'true' ELSE 'false' END AS managed_spot_training,
  billable_time_in_seconds,
  training_time_in_seconds,
  billable_time_in_seconds * instance_count AS billable_instance_seconds,
  warm_pool_retained_seconds,
  usd_per_hour,
  cluster_usd_per_hour,
  billable_time_in_seconds * billed_usd_per_hour / 3600e0 AS compute_cost_usd,
  coalesce(warm_pool_retained_seconds, 0) * billed_usd_per_hour / 3600e0 AS warm_pool_cost_usd,
  (billable_time_in_seconds + coalesce(warm_pool_retained_seconds, 0)) * billed_usd_per_hour / 3600e0 AS total_cost_usd,
  -- Managed spot bills fewer seconds at the on-demand rate; on demand, the same job would have billed its training time.
  CASE WHEN managed_spot_training THEN coalesce(training_time_in_seconds, billable_time_in_seconds) ELSE billable_time_in_seconds END
    * billed_usd_per_hour / 3600e0 AS on_demand_equivalent_usd,
  (CASE WHEN managed_spot_training THEN coalesce(training_time_in_seconds, billable_time_in_seconds) ELSE billable_time_in_seconds END - billable_time_in_seconds)
    * billed_usd_per_hour / 3600e0 AS spot_savings_usd,
  price_snapshot_date,
  cost_status,
  date_format(coalesce(training_end_time, creation_time), '%Y-%m') AS cost_month,
  creation_time,
  training_end_time,
  /* tag_columns */
FROM costed
