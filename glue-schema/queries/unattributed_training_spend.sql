-- name: unattributed_training_spend
-- description: Training spend the inventory cannot explain: Cost and Usage Report line items of a training-job ARN that no inventory row ever held (jobs deleted before any snapshot, accounts or regions the inventory does not cover), per usage account and billing month, in US dollars.
SELECT
  l.account_id,
  l.billing_period AS month,
  count(DISTINCT l.training_job_arn) AS training_jobs,
  count(*) AS line_items,
  round(sum(l.unblended_cost), 2) AS unblended_cost_usd,
  round(sum(l.effective_cost), 2) AS effective_cost_usd
FROM sagemaker_cur_training_line AS l
WHERE NOT EXISTS (SELECT 1 FROM sagemaker_training_job_all AS j WHERE lower(j.training_job_arn) = l.training_job_arn)
GROUP BY l.account_id, l.billing_period
ORDER BY month DESC, effective_cost_usd DESC
