-- name: sagemaker_training_job_billed_cost
-- description: One row per job in sagemaker_training_job_current with what the Cost and Usage Report (CUR 2.0) billed for it, across every billing period: unblended, effective (amortized) and public on-demand cost, the effective cost by usage kind, its line items and usage dates, billing_status (billed, or not_in_bill with NULL costs), beside the estimate of sagemaker_training_job_cost and one tag_<key> column per cost-allocation tag key.
CREATE OR REPLACE VIEW sagemaker_training_job_billed_cost AS
WITH billed AS (
  SELECT
    training_job_arn,
    sum(unblended_cost) AS unblended_cost_usd,
    sum(effective_cost) AS effective_cost_usd,
    sum(public_on_demand_cost) AS public_on_demand_cost_usd,
    sum(CASE WHEN usage_kind = 'compute' THEN effective_cost ELSE 0e0 END) AS compute_effective_cost_usd,
    sum(CASE WHEN usage_kind = 'warm_pool' THEN effective_cost ELSE 0e0 END) AS warm_pool_effective_cost_usd,
    sum(CASE WHEN usage_kind = 'storage' THEN effective_cost ELSE 0e0 END) AS storage_effective_cost_usd,
    sum(CASE WHEN usage_kind = 'other' THEN effective_cost ELSE 0e0 END) AS other_effective_cost_usd,
    count(*) AS billed_line_items,
    count(DISTINCT billing_period) AS billing_periods,
    CAST(min(usage_start_date) AS date) AS first_usage_date,
    CAST(max(usage_start_date) AS date) AS last_usage_date
  FROM sagemaker_cur_training_line
  GROUP BY training_job_arn
)
SELECT
  c._key,
  c.account_id,
  c.region,
  c.training_job_name,
  c.training_job_arn,
  c.training_job_status,
  e.instance_type,
  e.managed_spot_training,
  CASE WHEN b.training_job_arn IS NULL THEN 'not_in_bill' ELSE 'billed' END AS billing_status,
  -- A job no line names has NULL costs, never 0: the bill says nothing about it (yet).
  b.unblended_cost_usd,
  b.effective_cost_usd,
  b.public_on_demand_cost_usd,
  b.compute_effective_cost_usd,
  b.warm_pool_effective_cost_usd,
  b.storage_effective_cost_usd,
  b.other_effective_cost_usd,
  coalesce(b.billed_line_items, 0) AS billed_line_items,
  coalesce(b.billing_periods, 0) AS billing_periods,
  b.first_usage_date,
  b.last_usage_date,
  e.total_cost_usd AS estimated_total_cost_usd,
  e.cost_status AS estimate_cost_status,
  e.cost_month,
  c.creation_time,
  c.training_end_time,
  /* tag_columns */
FROM sagemaker_training_job_current AS c
LEFT JOIN sagemaker_training_job_cost AS e ON e._key = c._key AND e.creation_time = c.creation_time
LEFT JOIN billed AS b ON b.training_job_arn = lower(c.training_job_arn)
