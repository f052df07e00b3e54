import { Arn, ArnFormat, Names, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Who may put events on the inventory account's default bus: accounts by id, or every account of an organization. */
export interface ForwardedEventSenders {
  /** 12-digit account ids (or tokens that resolve to them). */
  readonly accounts: readonly string[];
  /** Admits every account of this organization (`aws:PrincipalOrgID`). */
  readonly organizationId?: string;
}

/** The configured accounts other than `ownAccount` (which needs no bus policy to reach its own bus), each once. */
export function forwardedEventSenders(
  sources: {
    readonly memberAccountRoleArns: readonly string[];
    readonly listedAccounts: readonly string[];
    readonly organizationId?: string;
  },
  ownAccount: string,
): ForwardedEventSenders {
  const accounts = [
    ...sources.memberAccountRoleArns.map((arn) => Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).account!),
    ...sources.listedAccounts,
  ];
  const others = accounts.filter((account) => Token.isUnresolved(account) || Token.isUnresolved(ownAccount) || account !== ownAccount);
  return { accounts: [...new Set(others)], organizationId: sources.organizationId };
}

/**
 * The statements of the account's default event bus (in the stack's region) that admit `events:PutEvents` from the
 * forwarding rules of the other accounts: one for the accounts by id, one for the organization. The same account's
 * other regions need none: their rules put events with a role of this account. Each statement's id is unique to this
 * construct, so several inventories in one account keep theirs.
 */
export class ForwardedEventsBusPolicy extends Construct {
  /** This account's default bus in the stack's region. */
  readonly eventBus: events.IEventBus;
  /** One per kind of sender given; none when `senders` names nobody. */
  readonly policies: readonly events.EventBusPolicy[];

  constructor(scope: Construct, id: string, senders: ForwardedEventSenders) {
    super(scope, id);
    this.eventBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    const admissions: [string, iam.IPrincipal[]][] = [];
    if (senders.accounts.length > 0) admissions.push(['Accounts', senders.accounts.map((account) => new iam.AccountPrincipal(account))]);
    if (senders.organizationId) admissions.push(['Organization', [new iam.OrganizationPrincipal(senders.organizationId)]]);
    const policies: events.EventBusPolicy[] = [];
    for (const [name, principals] of admissions) {
      const statementId = `${Names.uniqueResourceName(this, { maxLength: 64 - name.length - 1 })}-${name}`;
      const policy = new events.EventBusPolicy(this, name, {
        eventBus: this.eventBus,
        statementId,
        statement: new iam.PolicyStatement({
          sid: statementId,
          principals,
          actions: ['events:PutEvents'],
          resources: [this.eventBus.eventBusArn],
        }).toJSON(),
      });
      // Both statements edit the same bus policy: one at a time.
      if (policies.length > 0) policy.node.addDependency(policies[policies.length - 1]);
      policies.push(policy);
    }
    this.policies = policies;
  }
}
