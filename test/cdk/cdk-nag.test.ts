import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { buildApp } from '../../lib/app';
import { testApp } from '../support/cdk-app';

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding on the whole app', () => {
    const { app } = buildApp(testApp({ 'inventory:regions': 'us-east-1,eu-west-1', 'inventory:memberAccountRoleArns': 'arn:aws:iam::210987654321:role/SageMakerJobInventoryRead' }));
    expect(() => app.synth()).not.toThrow();
  });

  it('reports no unacknowledged finding with the QuickSight dashboard deployed', () => {
    const { app } = buildApp(testApp({ 'inventory:regions': 'us-east-1', 'inventory:quickSightPrincipalArn': 'arn:aws:quicksight:us-east-1:111122223333:group/default/finops' }));
    expect(() => app.synth()).not.toThrow();
  });

  it('does report a finding once an acknowledgement is missing, so the check above can fail', () => {
    const { app, inventory } = buildApp(testApp());
    // An extra wildcard statement no one has acknowledged.
    inventory.inventory.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5/);
  });
});
