/**
 * The construct library: what a CDK app imports from the package (`import { SageMakerTrainingJobInventory }
 * from 'sagemaker-job-inventory'`). Each module's exports are its public API; the parts the inventory
 * exposes as members (Glue tables, Athena views, the state machine) are exported so their types can be named.
 *
 * @packageDocumentation
 */
export * from './sagemaker-training-job-inventory';
export * from './member-account-role-stack';
export * from './member-account-forwarding-stack';
export * from './forwarded-events-policy';
export * from './quicksight';
export * from './price-refresh';
export * from './glue-table';
export * from './athena-views';
export * from './snapshot-state-machine';
// Types the props and members above name, from the runtime library they share with the functions.
export type { ColumnDefinition, GlueType, TableSchema } from '../lambda/core/schema/table-schema';
export type { ParquetCompression } from '../lambda/core/settings/settings';
