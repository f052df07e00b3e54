import { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { createAthenaClient } from '../../core/aws/clients';
import { describeError } from '../../core/errors';
import { VIEWS_SERVICE_NAME } from '../../core/names';
import { AthenaStatementRunner } from '../../core/query/athena-runner';

const logger = new Logger({ serviceName: VIEWS_SERVICE_NAME });
const athena = createAthenaClient({ region: process.env.AWS_REGION ?? 'us-east-1' });

/** The custom resource's properties: views in dependency order, each a CREATE OR REPLACE VIEW statement. */
export interface AthenaViewsProperties {
  readonly Workgroup: string;
  readonly Database: string;
  readonly Views: readonly { readonly Name: string; readonly Sql: string }[];
  /** Changes whenever a table's columns do, so CloudFormation sends an Update that re-creates the (otherwise stale) views. */
  readonly SchemaFingerprint?: string;
}

function properties(raw: unknown): AthenaViewsProperties {
  const p = raw as AthenaViewsProperties;
  if (!p || typeof p.Workgroup !== 'string' || typeof p.Database !== 'string' || !Array.isArray(p.Views)) {
    throw new Error(`resource properties need Workgroup, Database and Views; received ${JSON.stringify(raw)}`);
  }
  return p;
}

/**
 * Creates, replaces and drops the shipped Athena views as a CloudFormation custom resource. Every
 * statement is idempotent (CREATE OR REPLACE / DROP IF EXISTS), each waits for Athena to finish, and
 * the properties carry the SQL, so changing a view's SQL updates the resource and reruns it.
 */
export async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
  const physicalId = event.RequestType === 'Create' ? `${event.LogicalResourceId}-views` : event.PhysicalResourceId;
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = '';
  try {
    const desired = properties(event.ResourceProperties);
    const runner = new AthenaStatementRunner(athena, {
      workgroup: desired.Workgroup,
      database: desired.Database,
      timeoutMs: Math.max(10_000, context.getRemainingTimeInMillis() - 15_000),
    });
    const drop = async (names: readonly string[]) => {
      for (const name of [...names].reverse()) await runner.execute(`DROP VIEW IF EXISTS ${name}`);
    };
    if (event.RequestType === 'Delete') {
      await drop(desired.Views.map((v) => v.Name));
    } else {
      for (const view of desired.Views) {
        logger.info('creating view', { view: view.Name, database: desired.Database, schemaFingerprint: desired.SchemaFingerprint });
        await runner.execute(view.Sql);
      }
      if (event.RequestType === 'Update') {
        const kept = new Set(desired.Views.map((v) => v.Name));
        // The role may write only the views shipped now, so dropping a retired one can be refused. The new views are in
        // place by then: the deployment goes on, and the log names what an administrator may drop by hand.
        for (const retired of properties(event.OldResourceProperties)
          .Views.map((v) => v.Name)
          .filter((name) => !kept.has(name))) {
          await drop([retired]).catch((error: unknown) =>
            logger.warn('a view no longer shipped was left in place', { view: retired, reason: describeError(error).slice(0, 1000) }),
          );
        }
      }
    }
  } catch (error) {
    status = 'FAILED';
    reason = describeError(error).slice(0, 3000);
    logger.error('views not applied', { reason });
  }
  await respond(event, { Status: status, Reason: reason || `See ${context.logStreamName}`, PhysicalResourceId: physicalId });
}

async function respond(
  event: CloudFormationCustomResourceEvent,
  result: { Status: string; Reason: string; PhysicalResourceId: string },
): Promise<void> {
  const body = JSON.stringify({
    ...result,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
      if (response.ok) return;
      throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      if (attempt >= 5) throw new Error(`could not send the result to CloudFormation: ${describeError(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    }
  }
}
