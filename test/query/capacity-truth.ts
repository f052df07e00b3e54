import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';

/** How a job was placed, read straight from its DescribeTrainingJob response: the ground truth for the flat view. */
export interface Capacity {
  readonly shape: 'instance_type' | 'instance_groups' | 'instance_preferences';
  readonly instanceType: string | null;
  readonly instanceCount: number | null;
}

export function capacityOf(job: DescribeTrainingJobResponse): Capacity {
  const resources = job.ResourceConfig ?? {};
  if (resources.InstanceGroups?.length) {
    return {
      shape: 'instance_groups',
      instanceType: resources.InstanceGroups.length === 1 ? (resources.InstanceGroups[0]!.InstanceType ?? null) : 'mixed',
      instanceCount: resources.InstanceGroups.reduce((sum, g) => sum + (g.InstanceCount ?? 0), 0),
    };
  }
  if (resources.InstancePreferences?.length) {
    return {
      shape: 'instance_preferences',
      instanceType: resources.SelectedInstanceType ?? null,
      instanceCount: resources.SelectedInstanceCount ?? resources.InstanceCount ?? null,
    };
  }
  return { shape: 'instance_type', instanceType: resources.InstanceType ?? null, instanceCount: resources.InstanceCount ?? null };
}

/** BillableTimeInSeconds x the instances billed, as SageMaker documents it; undefined while the job has no billable time. */
export function billableInstanceSeconds(job: DescribeTrainingJobResponse): number | undefined {
  const count = capacityOf(job).instanceCount;
  return job.BillableTimeInSeconds === undefined || count === null ? undefined : job.BillableTimeInSeconds * count;
}
