-- name: sagemaker_cur_training_line
-- description: The Cost and Usage Report (CUR 2.0) line items of SageMaker training jobs: those whose resource ID is a training-job ARN (lower-cased for matching), with the line's effective (amortized) cost as AWS's CUR query library defines it and its usage kind (compute, warm_pool, storage or other) read from the usage type.
CREATE OR REPLACE VIEW sagemaker_cur_training_line AS
SELECT
  lower(line_item_resource_id) AS training_job_arn,
  line_item_usage_account_id AS account_id,
  split_part(line_item_resource_id, ':', 4) AS region,
  billing_period,
  line_item_line_item_type AS line_item_type,
  line_item_usage_type AS usage_type,
  -- Storage first: warm-pool volumes are storage. Patterns in docs/billed-cost.md.
  CASE
    WHEN lower(line_item_usage_type) LIKE '%volumeusage%' OR pricing_unit = 'GB-Mo' THEN 'storage'
    WHEN lower(line_item_usage_type) LIKE '%warmpool%' THEN 'warm_pool'
    WHEN lower(line_item_usage_type) LIKE '%train%:ml.%' THEN 'compute'
    ELSE 'other'
  END AS usage_kind,
  line_item_usage_start_date AS usage_start_date,
  line_item_usage_amount AS usage_amount,
  pricing_unit,
  line_item_unblended_cost AS unblended_cost,
  pricing_public_on_demand_cost AS public_on_demand_cost,
  -- Effective (amortized) cost: a covered line carries its share of the Savings Plan, whose negation line
  -- cancels the on-demand charge; a reservation's line carries its amortized cost; every other line its unblended cost.
  CASE line_item_line_item_type
    WHEN 'SavingsPlanCoveredUsage' THEN savings_plan_savings_plan_effective_cost
    WHEN 'SavingsPlanNegation' THEN 0e0
    WHEN 'DiscountedUsage' THEN reservation_effective_cost
    ELSE line_item_unblended_cost
  END AS effective_cost
FROM cost_and_usage_report
WHERE line_item_product_code = 'AmazonSageMaker'
  AND lower(line_item_resource_id) LIKE 'arn:%:sagemaker:%:training-job/%'
