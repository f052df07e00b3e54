import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SageMakerTrainingJobInventory, type SageMakerTrainingJobInventoryProps } from '../../lib/sagemaker-training-job-inventory';
import { testApp } from '../support/cdk-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Amazon States Language is untyped JSON
export type Asl = any;

/** The ARN the rendered definition names the snapshot function by; local runs bind its tasks to the handler instead. */
export const LOCAL_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:sagemaker-job-inventory';

/** Resolves the few intrinsics a definition string is joined from: the partition and the function's ARN. */
function resolveIntrinsic(part: unknown, functionLogicalId: string): string {
  if (typeof part === 'string') return part;
  const value = part as Record<string, unknown>;
  if (value.Ref === 'AWS::Partition') return 'aws';
  const getAtt = value['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt && getAtt[0] === functionLogicalId && getAtt[1] === 'Arn') return LOCAL_FUNCTION_ARN;
  throw new Error(`the definition joins an intrinsic this renderer does not know: ${JSON.stringify(part)}`);
}

/**
 * The state machine's Amazon States Language exactly as `cdk synth` writes it into the template, with
 * its intrinsics resolved: what Step Functions would run, for asl-validator and aws-local-stepfunctions.
 */
export function synthesizedDefinition(props: SageMakerTrainingJobInventoryProps = {}): { asl: Asl; template: Template } {
  const stack = new Stack(testApp(), 'Definition', { env: { account: '123456789012', region: 'us-east-1' } });
  const inventory = new SageMakerTrainingJobInventory(stack, 'Inventory', props);
  const template = Template.fromStack(stack);
  const functionLogicalId = stack.getLogicalId(inventory.function.node.defaultChild as never);
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const definition = machines[0].Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] } | string;
  const text =
    typeof definition === 'string'
      ? definition
      : definition['Fn::Join'][1].map((part) => resolveIntrinsic(part, functionLogicalId)).join(definition['Fn::Join'][0]);
  return { asl: JSON.parse(text), template };
}
