import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { assumeRoleCredentials } from './assume-role';
import {
  createOrganizationsClient,
  createS3Client,
  createSourceClients,
  createSqsClient,
  type ClientSettings,
  type SourceClients,
} from './clients';
import { RunBudget } from './retry-strategy';

/**
 * SDK clients, created once per (role, region) and kept: a warm Lambda reuses them (and their
 * connections and refreshed role credentials) on the next invocation instead of building new ones.
 */
export class AwsClientPool {
  private readonly sources = new Map<string, SourceClients>();
  private readonly s3Clients = new Map<string, S3Client>();
  private readonly organizationsClients = new Map<string, OrganizationsClient>();
  private readonly sqsClients = new Map<string, SQSClient>();
  private readonly base: Omit<ClientSettings, 'region'>;
  /**
   * The deadline every client's retries respect. A run sets it when it starts; one run at a time uses
   * a pool (a Lambda execution environment serves one invocation at a time, and the CLI runs once).
   */
  readonly budget: RunBudget;

  /** `base` holds everything but the region; its credentials are the caller's own (default chain if absent). */
  constructor(base: Omit<ClientSettings, 'region' | 'budget'>) {
    this.budget = new RunBudget();
    this.base = { ...base, budget: this.budget };
  }

  /** Clients reading SageMaker in `region`, as the caller or through `roleArn`. */
  source(region: string, roleArn?: string): SourceClients {
    return kept(this.sources, `${roleArn ?? 'caller'}|${region}`, () => {
      const settings = { ...this.base, region };
      return createSourceClients(roleArn ? { ...settings, credentials: assumeRoleCredentials(roleArn, settings) } : settings);
    });
  }

  s3(region: string): S3Client {
    return kept(this.s3Clients, region, () => createS3Client({ ...this.base, region }));
  }

  /** AWS Organizations, as the caller (the management or a delegated-administrator account). */
  organizations(region: string): OrganizationsClient {
    return kept(this.organizationsClients, region, () => createOrganizationsClient({ ...this.base, region }));
  }

  /** SQS in `region`, as the caller (the events function's own queues). */
  sqs(region: string): SQSClient {
    return kept(this.sqsClients, region, () => createSqsClient({ ...this.base, region }));
  }

  destroy(): void {
    for (const clients of this.sources.values()) for (const client of Object.values(clients)) client.destroy();
    for (const client of [...this.s3Clients.values(), ...this.organizationsClients.values(), ...this.sqsClients.values()]) client.destroy();
    this.sources.clear();
    this.sqsClients.clear();
    this.s3Clients.clear();
    this.organizationsClients.clear();
  }
}

function kept<T>(map: Map<string, T>, key: string, create: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
