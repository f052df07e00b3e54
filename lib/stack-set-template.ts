import { DefaultStackSynthesizer } from 'aws-cdk-lib';

/**
 * The synthesizer of a template member accounts deploy: without CDK's BootstrapVersion parameter and rule,
 * so a StackSet or `aws cloudformation deploy` creates it in accounts and regions never bootstrapped for CDK
 * (such a template has no assets, so it needs nothing the bootstrap stack provides).
 */
export function stackSetSynthesizer(): DefaultStackSynthesizer {
  return new DefaultStackSynthesizer({ generateBootstrapVersionRule: false });
}
