import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { ATHENA_RESULTS_PREFIX } from '../../lambda/core/names';
import { stateKey, workKeys } from '../../lambda/core/pipeline/work-area';
import {
  INSTANCE_PRICE_SCHEMA,
  INVENTORY_RUN_SCHEMA,
  TRAINING_JOB_CHANGE_SCHEMA,
  TRAINING_JOB_LEDGER_SCHEMA,
  TRAINING_JOB_SCHEMA,
} from '../../lambda/core/schema/table-schema';
import { buildApp } from '../../lib/app';
import { bucketArnInNagFinding } from '../../lib/nag-names';
import { testApp } from '../support/cdk-app';
import { decide, resolveTokens, type Decision, type Deployment, type IamRequest } from './iam-simulation';

const ACCOUNT = '111122223333';
const MEMBER_ACCOUNT = '210987654321';
const ORGANIZATION_ACCOUNT = '333344445555';
const OTHER_ACCOUNT = '999988887777';
const REGION = 'us-east-1';
const ORGANIZATION = 'o-inventory1';
const MEMBER_ROLE = `arn:aws:iam::${MEMBER_ACCOUNT}:role/SageMakerJobInventoryRead`;
/** The account's CUR 2.0 export (AWS Data Exports) and its Glue table. */
const CUR = { database: 'billing', table: 'cur2', bucket: `billing-exports-${ACCOUNT}`, prefix: 'exports/sagemaker-cur' };

// Prepare: the app with every optional part (organization, member role, tracing, QuickSight, the CUR, live events) and an analyst given grantQuery.
const { app, inventory, memberRole, memberForwarding } = buildApp(
  testApp({
    'inventory:regions': 'us-east-1,eu-west-1',
    'inventory:memberAccountRoleArns': MEMBER_ROLE,
    'inventory:organization': 'true',
    'inventory:liveEvents': 'true',
    'inventory:organizationId': ORGANIZATION,
    'inventory:tracing': 'true',
    'inventory:quickSightPrincipalArn': `arn:aws:quicksight:us-east-1:${ACCOUNT}:group/default/finops`,
    'inventory:curDatabase': CUR.database,
    'inventory:curTable': CUR.table,
    'inventory:curBucket': CUR.bucket,
    'inventory:curPrefix': CUR.prefix,
  }),
);
const construct = inventory.inventory;
const analyst = new iam.Role(inventory, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
construct.grantQuery(analyst);
// cdk-nag asks each wildcard of the grant to be acknowledged: the table prefixes, the results prefix and the database's tables.
for (const resource of [
  ...[...construct.tablePrefixes.map((p) => `${p}/`), ATHENA_RESULTS_PREFIX].map((p) => `${bucketArnInNagFinding(construct.bucket)}/${p}*`),
  `arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/<${inventory.getLogicalId(construct.glueTable.database)}>/*`,
]) {
  Validations.of(analyst).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${resource}]`,
    reason: 'An analyst of the test, given grantQuery.',
  });
}
const assembly = app.synth();
const main: Deployment = {
  template: assembly.getStackByName(inventory.stackName).template,
  account: ACCOUNT,
  region: REGION,
  stackName: inventory.stackName,
};
/** A value of the main stack (a token or not) as it is once deployed. */
const concrete = (token: string): string => resolveTokens(inventory.resolve(token), main);
const roleOf = (scope: IConstruct, id: string) => concrete((scope.node.findChild(id) as iam.IRole).roleArn);
const collector = concrete(construct.role.roleArn);
const member: Deployment = {
  template: assembly.getStackByName(memberRole.stackName).template,
  account: MEMBER_ACCOUNT,
  region: REGION,
  stackName: memberRole.stackName,
  parameters: { InventoryRoleArn: collector, InventoryEventsRoleArn: concrete(construct.liveEvents!.role.roleArn) },
};
const organizationMember: Deployment = { ...member, account: ORGANIZATION_ACCOUNT };
const inventoryBus = concrete(construct.forwardedEvents!.eventBus.eventBusArn);
/** The forwarding template deployed in an account and region, pointed at the inventory's bus. */
const forwarding = (account: string, region = 'eu-west-1'): Deployment => ({
  template: assembly.getStackByName(memberForwarding.stackName).template,
  account,
  region,
  stackName: memberForwarding.stackName,
  parameters: { InventoryEventBusArn: inventoryBus },
});
const forwarders = {
  member: forwarding(MEMBER_ACCOUNT),
  organization: forwarding(ORGANIZATION_ACCOUNT),
  inventoryAccount: forwarding(ACCOUNT),
  other: forwarding(OTHER_ACCOUNT),
};
/** The role EventBridge assumes for the forwarding rule of a deployment. */
const forwarderRole = (d: Deployment): string => resolveTokens(memberForwarding.resolve(memberForwarding.role.roleArn), d);

const bucket = concrete(construct.bucket.bucketArn);
const key = concrete(construct.encryptionKey.keyArn);
const otherBucket = 'arn:aws:s3:::another-bucket';
const prefix = construct.tablePrefix.split('/')[0];
const target = { accountId: ACCOUNT, region: REGION };
const date = '2026-12-03';
const object = (path: string) => `${bucket}/${path}`;
const tableObject = (table: string, name: string) => object(`${prefix}/${table}/snapshot_date=${date}/region=${REGION}/${name}.parquet`);
const snapshotObject = tableObject(TRAINING_JOB_SCHEMA.table, `${ACCOUNT}-run1`);
const runRecord = tableObject(INVENTORY_RUN_SCHEMA.table, ACCOUNT);
const ledgerObject = tableObject(TRAINING_JOB_LEDGER_SCHEMA.table, ACCOUNT);
const priceObject = object(`${prefix}/${INSTANCE_PRICE_SCHEMA.table}/snapshot_date=${date}/prices.parquet`);
const curObject = `arn:aws:s3:::${CUR.bucket}/${CUR.prefix}/data/BILLING_PERIOD=2026-11/sagemaker-cur-00001.snappy.parquet`;
const work = workKeys(TRAINING_JOB_SCHEMA.table, date, target);
const resultObject = object(`${ATHENA_RESULTS_PREFIX}0f1e2d3c-query.csv`);
const workgroup = `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/${concrete(construct.workgroup.ref)}`;
const database = concrete(construct.glueTable.database.ref);
const glue = (resource: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:${resource}`;
const logStream = (logGroupArn: string) => `${concrete(logGroupArn).replace(/:\*$/, '')}:log-stream:2026/12/03/[$LATEST]0123abcd`;
const trainingJob = (account: string, name = 'resnet-50-2026-12-03') => `arn:aws:sagemaker:eu-west-1:${account}:training-job/${name}`;

// What each request carries: S3 writes name the key (the function sets SSE-KMS), S3 reaches KMS with the bucket as the
// encryption context (S3 Bucket Keys), and only ListBucket carries s3:prefix.
const sseKms = { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': key };
const viaS3 = { 'kms:EncryptionContext:aws:s3:arn': bucket, 'kms:ViaService': `s3.${REGION}.amazonaws.com` };
const request = (principal: string, action: string, resource: string, context?: IamRequest['context']): IamRequest => ({
  principal,
  action,
  resource,
  context,
});

/** The collector's reads of an account's training jobs and tags (ListTrainingJobs and GetResources accept only `*`). */
function sourceReads(principal: string, account: string): IamRequest[] {
  return [
    request(principal, 'sagemaker:ListTrainingJobs', '*'),
    request(principal, 'sagemaker:DescribeTrainingJob', trainingJob(account)),
    request(principal, 'sagemaker:ListTags', trainingJob(account)),
    request(principal, 'tag:GetResources', '*'),
  ];
}

/** What Athena does with its caller's permissions to run a query in the workgroup and read the tables (QuickSight or an analyst). */
function queryRequests(principal: string): IamRequest[] {
  const table = (name: string) => glue(`table/${database}/${name}`);
  return [
    ...[
      'athena:StartQueryExecution',
      'athena:GetQueryExecution',
      'athena:GetQueryResults',
      'athena:StopQueryExecution',
      'athena:GetWorkGroup',
    ].map((action) => request(principal, action, workgroup)),
    request(principal, 'glue:GetDatabase', glue(`database/${database}`)),
    request(principal, 'glue:GetDatabase', glue('catalog')),
    request(principal, 'glue:GetTable', table('sagemaker_training_job_cost')),
    request(principal, 'glue:GetTables', glue(`database/${database}`)),
    request(principal, 'glue:GetPartitions', table(TRAINING_JOB_SCHEMA.table)),
    // Athena checks the results bucket before it runs anything ("Unable to verify/create output bucket"): no s3:prefix.
    request(principal, 's3:GetBucketLocation', bucket),
    request(principal, 's3:ListBucket', bucket, { 's3:prefix': `${prefix}/${TRAINING_JOB_SCHEMA.table}/snapshot_date=${date}/` }),
    request(principal, 's3:ListBucket', bucket, { 's3:prefix': `${prefix}/${INSTANCE_PRICE_SCHEMA.table}/` }),
    request(principal, 's3:ListBucket', bucket, { 's3:prefix': ATHENA_RESULTS_PREFIX }),
    request(principal, 's3:GetObject', snapshotObject),
    request(principal, 's3:GetObject', runRecord),
    // The history views (sagemaker_training_job_all, the cost and flat views on it) read the ledger.
    request(principal, 's3:ListBucket', bucket, { 's3:prefix': `${prefix}/${TRAINING_JOB_LEDGER_SCHEMA.table}/` }),
    request(principal, 's3:GetObject', ledgerObject),
    request(principal, 's3:GetObject', priceObject),
    request(principal, 's3:PutObject', resultObject, sseKms),
    request(principal, 's3:GetObject', resultObject),
    request(principal, 's3:AbortMultipartUpload', resultObject),
    request(principal, 's3:ListMultipartUploadParts', resultObject),
    request(principal, 'kms:Decrypt', key, viaS3),
    request(principal, 'kms:GenerateDataKey', key, viaS3),
    // The billed-cost views read the CUR 2.0 table: its definition and partitions, and the export's data objects.
    request(principal, 'glue:GetDatabase', glue(`database/${CUR.database}`)),
    request(principal, 'glue:GetTable', glue(`table/${CUR.database}/${CUR.table}`)),
    request(principal, 'glue:GetPartitions', glue(`table/${CUR.database}/${CUR.table}`)),
    request(principal, 's3:GetBucketLocation', `arn:aws:s3:::${CUR.bucket}`),
    request(principal, 's3:ListBucket', `arn:aws:s3:::${CUR.bucket}`, { 's3:prefix': `${CUR.prefix}/data/BILLING_PERIOD=2026-11/` }),
    request(principal, 's3:GetObject', curObject),
  ];
}

/** What a reader may not do: another bucket, another prefix, a write, another database or workgroup. */
function queryDenials(principal: string): IamRequest[] {
  return [
    request(principal, 's3:GetObject', `${otherBucket}/${prefix}/${TRAINING_JOB_SCHEMA.table}/x.parquet`),
    request(principal, 's3:ListBucket', otherBucket, { 's3:prefix': `${prefix}/` }),
    request(principal, 's3:ListBucket', bucket, { 's3:prefix': `${prefix}/_state/` }),
    request(principal, 's3:GetObject', object(`${prefix}/${stateKey(TRAINING_JOB_SCHEMA.table, target)}`)),
    request(principal, 's3:PutObject', snapshotObject, sseKms),
    request(principal, 's3:DeleteObject', resultObject),
    request(principal, 'glue:GetTable', glue('table/another_database/sagemaker_training_job')),
    request(principal, 'glue:CreateTable', glue(`table/${database}/sagemaker_training_job_cost`)),
    request(principal, 'athena:StartQueryExecution', `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/primary`),
    // Of the billing bucket and database, only the export's data and the CUR table.
    request(
      principal,
      's3:GetObject',
      `arn:aws:s3:::${CUR.bucket}/${CUR.prefix}/metadata/BILLING_PERIOD=2026-11/sagemaker-cur-Manifest.json`,
    ),
    request(principal, 's3:GetObject', `arn:aws:s3:::${CUR.bucket}/another-export/data/BILLING_PERIOD=2026-11/other-00001.snappy.parquet`),
    request(principal, 's3:ListBucket', `arn:aws:s3:::${CUR.bucket}`, { 's3:prefix': 'another-export/' }),
    request(principal, 's3:PutObject', curObject),
    request(principal, 'glue:GetTable', glue(`table/${CUR.database}/another_table`)),
  ];
}

const views = roleOf(construct.views, 'Role');
const prices = concrete(construct.priceRefresh!.role.roleArn);
const stateMachine = concrete(construct.stateMachine.role.roleArn);
const scheduler = roleOf(construct, 'SchedulerRole');
const priceScheduler = roleOf(construct.priceRefresh!, 'SchedulerRole');
const memberReader = resolveTokens(memberRole.resolve(memberRole.role.roleArn), member);
const quickSight = `arn:aws:iam::${ACCOUNT}:role/aws-quicksight-service-role-v0`;
const analystArn = concrete(analyst.roleArn);
const logGroupOf = (fn: IConstruct) => (fn as lambda.Function).logGroup.logGroupArn;
const functionArn = concrete(construct.function.functionArn);
const priceFunctionArn = concrete(construct.priceRefresh!.function.functionArn);
const stateMachineArn = concrete(construct.stateMachine.stateMachineArn);
const queueArn = concrete(construct.deadLetterQueue.queueArn);
const live = construct.liveEvents!;
const eventsRole = concrete(live.role.roleArn);
const eventsQueue = concrete(live.queue.queueArn);
const eventsDeadLetters = concrete(live.deadLetterQueue.queueArn);
const eventsRule = concrete(live.rule.ruleArn);
const changeObject = object(`${prefix}/${TRAINING_JOB_CHANGE_SCHEMA.table}/recorded_date=${date}/20261203T101500000Z-0f1e2d3c.parquet`);
const orgRole = (account: string) => `arn:aws:iam::${account}:role/SageMakerJobInventoryRead`;
const inOrganization = (resourceOrg: string) => ({ 'aws:PrincipalOrgID': ORGANIZATION, 'aws:ResourceOrgID': resourceOrg });

/**
 * Each principal's requests, as its code or its service makes them. `caller` holds the principal's policies and `owner`
 * the resource's, when that is not the main stack: a member-account template, deployed in a member or an organization account (or the forwarding one in another region).
 */
interface Requests {
  readonly requests: IamRequest[];
  readonly caller?: Deployment;
  readonly owner?: Deployment;
}

const ALLOWED: Record<string, Requests> = {
  'snapshot function': {
    requests: [
      ...sourceReads(collector, ACCOUNT),
      request(collector, 's3:GetObject', object(`${prefix}/${stateKey(TRAINING_JOB_SCHEMA.table, target)}`)),
      // A missing object answers 404 rather than 403 only to a caller who may list: no s3:prefix on that check.
      request(collector, 's3:ListBucket', bucket),
      request(collector, 's3:PutObject', object(`${prefix}/${work.lease}`), sseKms),
      request(collector, 's3:GetObject', object(`${prefix}/${work.checkpoint}`)),
      request(collector, 's3:PutObject', object(`${prefix}/${work.part(1)}`), sseKms),
      request(collector, 's3:DeleteObject', object(`${prefix}/${work.part(1)}`)),
      request(collector, 's3:GetObject', snapshotObject),
      request(collector, 's3:PutObject', snapshotObject, sseKms),
      request(collector, 's3:AbortMultipartUpload', snapshotObject),
      request(collector, 's3:PutObject', runRecord, sseKms),
      // Which objects the run record of a date commits.
      request(collector, 's3:GetObject', runRecord),
      request(collector, 's3:PutObject', ledgerObject, sseKms),
      // After the commit, the objects the new run record superseded are removed.
      request(collector, 's3:DeleteObject', ledgerObject),
      request(collector, 's3:DeleteObject', snapshotObject),
      request(collector, 's3:PutObject', object(`${prefix}/${stateKey(TRAINING_JOB_SCHEMA.table, target)}`), sseKms),
      request(collector, 'kms:GenerateDataKey', key, viaS3),
      request(collector, 'kms:Decrypt', key, viaS3),
      request(collector, 'logs:CreateLogStream', logStream(logGroupOf(construct.function))),
      request(collector, 'logs:PutLogEvents', logStream(logGroupOf(construct.function))),
      request(collector, 'organizations:ListAccounts', '*'),
      request(collector, 'xray:PutTraceSegments', '*'),
    ],
  },
  'snapshot function, assuming the role of an organization account': {
    requests: [request(collector, 'sts:AssumeRole', orgRole(ORGANIZATION_ACCOUNT), inOrganization(ORGANIZATION))],
    owner: organizationMember,
  },
  'snapshot function, assuming the member-account role': {
    requests: [request(collector, 'sts:AssumeRole', MEMBER_ROLE)],
    owner: member,
  },
  'member-account role': {
    requests: sourceReads(memberReader, MEMBER_ACCOUNT),
    caller: member,
    owner: member,
  },
  'events function (and its SQS event source, which polls with its role)': {
    requests: [
      ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'].map((action) =>
        request(eventsRole, action, eventsQueue),
      ),
      request(eventsRole, 'sqs:SendMessage', eventsDeadLetters),
      request(eventsRole, 'sagemaker:DescribeTrainingJob', trainingJob(ACCOUNT)),
      request(eventsRole, 'sagemaker:ListTags', trainingJob(ACCOUNT)),
      request(eventsRole, 's3:PutObject', changeObject, sseKms),
      request(eventsRole, 's3:AbortMultipartUpload', changeObject),
      request(eventsRole, 'kms:GenerateDataKey', key, viaS3),
      request(eventsRole, 'kms:Decrypt', key, viaS3),
      request(eventsRole, 'logs:CreateLogStream', logStream(logGroupOf(live.function))),
      request(eventsRole, 'logs:PutLogEvents', logStream(logGroupOf(live.function))),
      request(eventsRole, 'organizations:ListAccounts', '*'),
      request(eventsRole, 'xray:PutTraceSegments', '*'),
    ],
  },
  'events function, assuming the member-account role': {
    requests: [request(eventsRole, 'sts:AssumeRole', MEMBER_ROLE)],
    owner: member,
  },
  'events function, assuming the role of an organization account': {
    requests: [request(eventsRole, 'sts:AssumeRole', orgRole(ORGANIZATION_ACCOUNT), inOrganization(ORGANIZATION))],
    owner: organizationMember,
  },
  'the state-change rule (EventBridge)': {
    requests: [
      { ...request('events.amazonaws.com', 'sqs:SendMessage', eventsQueue, { 'aws:SourceArn': eventsRule }), resourceAccount: ACCOUNT },
      {
        ...request('events.amazonaws.com', 'sqs:SendMessage', eventsDeadLetters, { 'aws:SourceArn': eventsRule }),
        resourceAccount: ACCOUNT,
      },
    ],
  },
  'views function': {
    requests: [
      request(views, 'athena:StartQueryExecution', workgroup),
      request(views, 'athena:GetQueryExecution', workgroup),
      request(views, 'glue:GetDatabase', glue(`database/${database}`)),
      request(views, 'glue:GetTable', glue(`table/${database}/${TRAINING_JOB_SCHEMA.table}`)),
      request(views, 'glue:GetDatabase', glue(`database/${CUR.database}`)),
      request(views, 'glue:GetTable', glue(`table/${CUR.database}/${CUR.table}`)),
      request(views, 'glue:CreateTable', glue(`table/${database}/sagemaker_training_job_billed_cost`)),
      request(views, 'glue:CreateTable', glue(`table/${database}/sagemaker_training_job_flat`)),
      request(views, 'glue:UpdateTable', glue(`table/${database}/sagemaker_training_job_cost`)),
      request(views, 'glue:DeleteTable', glue(`table/${database}/sagemaker_training_job_current`)),
      request(views, 's3:GetBucketLocation', bucket),
      request(views, 's3:PutObject', resultObject, sseKms),
      request(views, 'kms:GenerateDataKey', key, viaS3),
      request(views, 'logs:PutLogEvents', logStream(logGroupOf(construct.views.node.findChild('Function')))),
    ],
  },
  'prices function': {
    requests: [
      request(prices, 'pricing:GetProducts', '*'),
      request(prices, 's3:PutObject', priceObject, sseKms),
      request(prices, 's3:AbortMultipartUpload', priceObject),
      request(prices, 'kms:GenerateDataKey', key, viaS3),
      request(prices, 'logs:PutLogEvents', logStream(logGroupOf(construct.priceRefresh!.function))),
    ],
  },
  'state machine': {
    requests: [
      request(stateMachine, 'lambda:InvokeFunction', functionArn),
      request(stateMachine, 'logs:CreateLogDelivery', '*'),
      request(stateMachine, 'xray:PutTraceSegments', '*'),
    ],
  },
  scheduler: {
    requests: [
      request(scheduler, 'states:StartExecution', stateMachineArn),
      request(scheduler, 'sqs:SendMessage', queueArn),
      request(scheduler, 'kms:GenerateDataKey', key, {
        'kms:EncryptionContext:aws:sqs:arn': queueArn,
        'kms:ViaService': `sqs.${REGION}.amazonaws.com`,
      }),
      request(priceScheduler, 'lambda:InvokeFunction', priceFunctionArn),
    ],
  },
  "QuickSight's service role": { requests: queryRequests(quickSight) },
  'a grantQuery grantee': { requests: queryRequests(analystArn) },
  // The bus policy admits the member roles' accounts by id, and the organization's accounts by aws:PrincipalOrgID.
  "a member account's forwarding rule": {
    requests: [request(forwarderRole(forwarders.member), 'events:PutEvents', inventoryBus)],
    caller: forwarders.member,
  },
  "an organization account's forwarding rule": {
    requests: [request(forwarderRole(forwarders.organization), 'events:PutEvents', inventoryBus, { 'aws:PrincipalOrgID': ORGANIZATION })],
    caller: forwarders.organization,
  },
  // The inventory account's other regions need no bus policy: the rule's role is of the bus's own account.
  "the inventory account's forwarding rule in another region": {
    requests: [request(forwarderRole(forwarders.inventoryAccount), 'events:PutEvents', inventoryBus)],
    caller: forwarders.inventoryAccount,
  },
};

const DENIED: Record<string, Requests> = {
  'snapshot function': {
    requests: [
      request(collector, 's3:PutObject', priceObject, sseKms),
      request(collector, 's3:DeleteObject', runRecord),
      request(collector, 's3:GetObject', `${otherBucket}/${prefix}/${stateKey(TRAINING_JOB_SCHEMA.table, target)}`),
      request(collector, 's3:PutObject', snapshotObject, { ...sseKms, 'aws:SecureTransport': 'false' }),
      request(collector, 'sagemaker:DescribeTrainingJob', trainingJob(OTHER_ACCOUNT)),
      request(collector, 'sts:AssumeRole', orgRole(OTHER_ACCOUNT), inOrganization('o-another1')),
      request(collector, 'sts:AssumeRole', `arn:aws:iam::${MEMBER_ACCOUNT}:role/Admin`),
    ],
  },
  'events function': {
    requests: [
      request(eventsRole, 'sagemaker:ListTrainingJobs', '*'),
      request(eventsRole, 's3:PutObject', snapshotObject, sseKms),
      request(eventsRole, 's3:GetObject', changeObject),
      request(eventsRole, 's3:DeleteObject', changeObject),
      request(eventsRole, 'sqs:SendMessage', eventsQueue),
      request(eventsRole, 'sqs:SendMessage', queueArn),
      request(eventsRole, 'sagemaker:DescribeTrainingJob', trainingJob(OTHER_ACCOUNT)),
      request(eventsRole, 'sts:AssumeRole', `arn:aws:iam::${MEMBER_ACCOUNT}:role/Admin`),
    ],
  },
  'another rule (EventBridge)': {
    requests: [
      {
        ...request('events.amazonaws.com', 'sqs:SendMessage', eventsQueue, {
          'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/another`,
        }),
        resourceAccount: ACCOUNT,
      },
    ],
  },
  'another account, assuming the member-account role': {
    requests: [request(`arn:aws:iam::${OTHER_ACCOUNT}:role/SageMakerJobInventory`, 'sts:AssumeRole', MEMBER_ROLE)],
    owner: member,
  },
  'member-account role': {
    requests: [
      request(memberReader, 'sagemaker:DescribeTrainingJob', trainingJob(OTHER_ACCOUNT)),
      request(memberReader, 'sagemaker:StopTrainingJob', trainingJob(MEMBER_ACCOUNT)),
    ],
    caller: member,
    owner: member,
  },
  'views function': {
    requests: [
      request(views, 'glue:CreateTable', glue(`table/${database}/${TRAINING_JOB_SCHEMA.table}_copy`)),
      request(views, 'glue:DeleteTable', glue(`table/${database}/${TRAINING_JOB_SCHEMA.table}`)),
      request(views, 's3:GetObject', snapshotObject),
      // Creating a view reads no data: not the export's objects, and of the billing database nothing but the CUR table.
      request(views, 's3:GetObject', curObject),
      request(views, 'glue:GetTable', glue(`table/${CUR.database}/another_table`)),
      request(views, 'glue:CreateTable', glue(`table/${CUR.database}/sagemaker_training_job_billed_cost`)),
    ],
  },
  'prices function': {
    requests: [request(prices, 's3:PutObject', snapshotObject, sseKms), request(prices, 's3:GetObject', priceObject)],
  },
  'state machine': { requests: [request(stateMachine, 'lambda:InvokeFunction', priceFunctionArn)] },
  scheduler: {
    requests: [
      request(scheduler, 'lambda:InvokeFunction', functionArn),
      request(scheduler, 'states:StartExecution', `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:another`),
    ],
  },
  "QuickSight's service role": { requests: queryDenials(quickSight) },
  'a grantQuery grantee': { requests: queryDenials(analystArn) },
  "a member account's forwarding rule": {
    requests: [
      request(forwarderRole(forwarders.member), 'events:PutEvents', `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/another`),
      request(forwarderRole(forwarders.member), 'events:PutEvents', `arn:aws:events:${REGION}:${OTHER_ACCOUNT}:event-bus/default`),
      request(forwarderRole(forwarders.member), 'events:PutEvents', `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/default`),
    ],
    caller: forwarders.member,
  },
  // Its role may put events on the bus, but the bus policy admits neither its account nor its organization.
  "an unconfigured account's forwarding rule": {
    requests: [request(forwarderRole(forwarders.other), 'events:PutEvents', inventoryBus, { 'aws:PrincipalOrgID': 'o-another123' })],
    caller: forwarders.other,
  },
  'another account': {
    requests: [
      request(`arn:aws:iam::${OTHER_ACCOUNT}:role/aws-quicksight-service-role-v0`, 's3:GetObject', snapshotObject),
      request(`arn:aws:iam::${OTHER_ACCOUNT}:role/aws-quicksight-service-role-v0`, 'kms:Decrypt', key, viaS3),
    ],
  },
};

const cases = (table: Record<string, Requests>) =>
  Object.entries(table).flatMap(([who, { requests, caller = main, owner = main }]) =>
    requests.map((r) => ({
      name: `${who}: ${r.action} on ${r.resource}${r.context ? ` with ${JSON.stringify(r.context)}` : ''}`,
      r,
      caller,
      owner,
    })),
  );

describe('IAM simulation of every request, over the identity and resource policies of the synthesized app', () => {
  it.each(cases(ALLOWED))('allows $name', async ({ r, caller, owner }) => {
    // Act
    const decision = await decide(r, caller, owner);

    // Assess
    expect(decision).toBe<Decision>('Allowed');
  });

  it.each(cases(DENIED))('denies $name', async ({ r, caller, owner }) => {
    // Act
    const decision = await decide(r, caller, owner);

    // Assess
    expect(decision).not.toBe<Decision>('Allowed');
  });

  it('resolves every policy of the three stacks to concrete values, so the decisions above are about real ARNs', () => {
    // Act
    const policies = [main, member, forwarders.member].flatMap((d) =>
      Object.values(d.template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>)
        .filter((r) => /^AWS::(IAM::(Policy|Role)|S3::BucketPolicy|KMS::Key|SQS::QueuePolicy|Events::EventBusPolicy)$/.test(r.Type))
        .map((r) => JSON.stringify(resolveTokens(r.Properties, d))),
    );

    // Assess
    expect(policies.length).toBeGreaterThanOrEqual(20);
    expect(policies.filter((text) => /"(Ref|Fn::[A-Za-z]+)"|\$\{(?!aws:)/.test(text))).toEqual([]);
  });
});
