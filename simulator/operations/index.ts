import type { OperationDefinition } from './operation';
import { ORGANIZATIONS_OPERATIONS } from './organizations';
import { PRICING_OPERATIONS } from './pricing';
import { SAGEMAKER_OPERATIONS } from './sagemaker';
import { STS_OPERATIONS } from './sts';
import { TAGGING_OPERATIONS } from './tagging';

/** Every operation the simulator serves, by the name the SDK sends. */
export const OPERATIONS = {
  ...SAGEMAKER_OPERATIONS,
  ...TAGGING_OPERATIONS,
  ...STS_OPERATIONS,
  ...PRICING_OPERATIONS,
  ...ORGANIZATIONS_OPERATIONS,
} satisfies Record<string, OperationDefinition>;
export type SimulatedOperation = keyof typeof OPERATIONS;
export const SIMULATED_OPERATIONS = Object.keys(OPERATIONS) as SimulatedOperation[];

export function isSimulatedOperation(name: string): name is SimulatedOperation {
  return Object.hasOwn(OPERATIONS, name);
}

export type { CallContext, OperationDefinition } from './operation';
