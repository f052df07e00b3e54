import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { buildApp } from '../../lib/app';
import { testApp } from '../support/cdk-app';

describe('cdk-nag AwsSolutions and Serverless', () => {
  it('reports no unacknowledged finding on the whole app, the live path included', () => {
    // Prepare
    const { app } = buildApp(
      testApp({
        'inventory:regions': 'us-east-1,eu-west-1',
        'inventory:memberAccountRoleArns': 'arn:aws:iam::210987654321:role/SageMakerJobInventoryRead',
        'inventory:liveEvents': 'true',
      }),
    );

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
  });

  it('reports no unacknowledged finding with the QuickSight dashboard deployed', () => {
    // Prepare
    const { app } = buildApp(
      testApp({
        'inventory:regions': 'us-east-1',
        'inventory:quickSightPrincipalArn': 'arn:aws:quicksight:us-east-1:111122223333:group/default/finops',
      }),
    );

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
  });

  it("reports no unacknowledged finding with the organization's accounts as targets, X-Ray tracing on and the live path", () => {
    // Prepare
    const { app } = buildApp(
      testApp({
        'inventory:organization': 'true',
        'inventory:organizationExcludeAccounts': '111122223333',
        'inventory:tracing': 'true',
        'inventory:liveEvents': 'true',
        'inventory:organizationId': 'o-inventory1',
      }),
    );

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
  });

  it("reports no unacknowledged finding with live events: the bus policy and the member accounts' forwarding template", () => {
    // Prepare
    const { app } = buildApp(
      testApp({
        'inventory:memberAccountRoleArns': 'arn:aws:iam::210987654321:role/SageMakerJobInventoryRead',
        'inventory:organization': 'true',
        'inventory:liveEvents': 'true',
        'inventory:organizationId': 'o-a1b2c3d4e5',
      }),
    );

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
  });

  it('does report a Serverless finding no one acknowledged (a function without a dead-letter queue or tracing)', () => {
    // Prepare
    const { app, inventory } = buildApp(testApp());
    new CfnFunction(inventory, 'Unreviewed', {
      role: inventory.inventory.role.roleArn,
      code: { zipFile: 'exports.handler = async () => {}' },
      runtime: 'nodejs22.x',
      handler: 'index.handler',
    });

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(/Serverless-LambdaDLQ/);
  });

  it('does report a finding once an acknowledgement is missing, so the checks above can fail', () => {
    // Prepare: an extra wildcard statement no one has acknowledged.
    const { app, inventory } = buildApp(testApp());
    inventory.inventory.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(/AwsSolutions-IAM5/);
  });
});
