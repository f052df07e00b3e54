import { App, CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { SageMakerTrainingJobInventory } from 'sagemaker-job-inventory';

const app = new App();
const stack = new Stack(app, 'TrainingJobInventory');
const inventory = new SageMakerTrainingJobInventory(stack, 'Inventory', {
  regions: ['us-east-1', 'eu-west-1'],
  projectionStartDate: '2025-01-01',
});
new CfnOutput(stack, 'AthenaWorkgroup', { value: inventory.workgroup.ref });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
app.synth();
