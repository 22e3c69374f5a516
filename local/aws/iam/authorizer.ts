/**
 * Who calls the local AWS endpoint, and whether IAM would let them.
 *
 * Every request is signed with an access key. The administrator's (`test`/`test`, what the CLI, meshctl and the
 * tests use) may do anything, as an account's administrator may. Every other key is a temporary credential of a
 * role, handed out as AWS's services do: Lambda puts one in each function's environment (`AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), Step Functions, CodeBuild and ECS act with their role's session.
 * The call is then evaluated against the role's identity policies from the packaged template (see `policy.ts`).
 */
import { createHash } from 'node:crypto';
import { AwsServiceError } from '../protocol';
import type { LocalCredentials } from '../sigv4';
import { evaluatePolicies, type AuthorizationRequest, type Decision, type PolicyDocument } from './policy';

/** A role's temporary credentials, as STS's AssumeRole returns them. */
export interface RoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** The caller of a request: the administrator, or a role session. */
export interface Principal {
  /** `arn:aws:iam::<account>:root`, or `arn:aws:sts::<account>:assumed-role/<role>/<session>` (as AWS names it). */
  readonly arn: string;
  /** The role's ARN; undefined for the administrator. */
  readonly roleArn?: string;
  /** Undefined for the administrator: nothing is evaluated. */
  readonly policies?: readonly PolicyDocument[];
}

/** A call IAM refuses. `code` is the service's own (`AccessDeniedException`; S3's `AccessDenied`). */
export class AccessDeniedError extends AwsServiceError {
  constructor(
    readonly principal: string,
    readonly request: AuthorizationRequest,
    readonly decision: Exclude<Decision, 'Allowed'>,
    code = 'AccessDeniedException',
  ) {
    super(code, accessDeniedMessage(principal, request, decision), code === 'AccessDenied' ? 403 : 400);
  }
}

/**
 * AWS's wording ("Troubleshoot access denied error messages"): which principal, which action, which resource, and
 * which kind of policy decided.
 */
export function accessDeniedMessage(principal: string, request: AuthorizationRequest, decision: Exclude<Decision, 'Allowed'>): string {
  const why = decision === 'ExplicitlyDenied' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${request.action} action`;
  return `User: ${principal} is not authorized to perform: ${request.action} on resource: ${request.resource} ${why}`;
}

export interface IamAuthorizerOptions {
  accountId: string;
  /** The administrator's key pair (default `test`/`test`). */
  administrator: LocalCredentials;
  /** Off (`--no-iam`): every known key may do anything; roles still get credentials. */
  enforce: boolean;
}

/** A refused request, as the authorizer keeps it for inspection (the newest `MAX_DENIALS`). */
export interface Denial {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly decision: Exclude<Decision, 'Allowed'>;
}

const MAX_DENIALS = 200;

interface Session {
  readonly credentials: RoleCredentials;
  readonly principal: Principal;
}

export class IamAuthorizer {
  private readonly roles = new Map<string, readonly PolicyDocument[]>();
  private readonly sessions = new Map<string, Session>();
  private readonly administrator: Principal;
  private readonly refused: Denial[] = [];
  private readonly evaluatedBy = new Map<string, number>();
  private readonly resourceTagSources: Array<(arn: string) => Record<string, string> | undefined> = [];

  constructor(readonly options: IamAuthorizerOptions) {
    this.administrator = { arn: `arn:aws:iam::${options.accountId}:root` };
  }

  get enforcing(): boolean {
    return this.options.enforce;
  }

  /** Adds (or replaces) a role and its identity policies. */
  defineRole(roleArn: string, policies: readonly PolicyDocument[]): void {
    this.roles.set(roleArn, policies);
  }

  hasRole(roleArn: string): boolean {
    return this.roles.has(roleArn);
  }

  /**
   * A session of `roleArn` named `sessionName` (the function's name, the task's id): the same credentials for the
   * same session, so a function's environment stays stable across invocations. An unknown role gets a session
   * with no policies: every call it makes is implicitly denied, as for a role that has none.
   */
  assumeRole(roleArn: string, sessionName: string): RoleCredentials & { principal: Principal } {
    const digest = createHash('sha256').update(`${roleArn}\0${sessionName}`).digest('hex').toUpperCase();
    const accessKeyId = `ASIA${digest.slice(0, 16)}`;
    const existing = this.sessions.get(accessKeyId);
    if (existing) return { ...existing.credentials, principal: existing.principal };
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    const principal: Principal = {
      arn: `arn:aws:sts::${this.options.accountId}:assumed-role/${roleName}/${sessionName}`,
      roleArn,
      policies: this.roles.get(roleArn) ?? [],
    };
    // Derived from the role and session, not random: a local cloud restarted in the same process (a function's SDK
    // client keeps the credentials it read) still accepts them. The keys guard nothing; they name the caller.
    const derive = (what: string) => createHash('sha256').update(`${what}\0${roleArn}\0${sessionName}`).digest('base64');
    const credentials = { accessKeyId, secretAccessKey: derive('secret').slice(0, 40), sessionToken: `IQoJb3JpZ2luX2Vj${derive('token')}${derive('token2')}` };
    this.sessions.set(accessKeyId, { credentials, principal });
    return { ...credentials, principal };
  }

  /** The secret (and session token) SigV4 verifies a request with; undefined for an unknown key. */
  credentialsOf(accessKeyId: string): (LocalCredentials & { sessionToken?: string }) | undefined {
    if (accessKeyId === this.options.administrator.accessKeyId) return this.options.administrator;
    return this.sessions.get(accessKeyId)?.credentials;
  }

  /** The principal of a verified access key. */
  principalOf(accessKeyId: string): Principal {
    if (accessKeyId === this.options.administrator.accessKeyId) return this.administrator;
    const session = this.sessions.get(accessKeyId);
    if (!session) throw new AwsServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
    // Policies are read when the call is made: a role defined after the session was handed out applies.
    return { ...session.principal, policies: this.roles.get(session.principal.roleArn ?? '') ?? [] };
  }

  /** The decision for one request, `Allowed` for the administrator or when enforcement is off. */
  decide(principal: Principal, request: AuthorizationRequest): Decision {
    if (!this.options.enforce || principal.policies === undefined) return 'Allowed';
    const decision = evaluatePolicies(principal.policies, request);
    const role = principal.roleArn ?? principal.arn;
    this.evaluatedBy.set(role, (this.evaluatedBy.get(role) ?? 0) + 1);
    if (decision !== 'Allowed') {
      this.refused.push({ principal: principal.arn, action: request.action, resource: request.resource, decision });
      if (this.refused.length > MAX_DENIALS) this.refused.shift();
    }
    return decision;
  }

  /** The requests refused so far, oldest first (the newest 200). */
  denials(): Denial[] {
    return [...this.refused];
  }

  /** How many requests were evaluated per role ARN (the administrator's are not evaluated). */
  evaluations(): Record<string, number> {
    return Object.fromEntries(this.evaluatedBy);
  }

  /**
   * Adds where the tags of existing resources are found (a service's store): a request on such a resource carries
   * `aws:ResourceTag/<key>` for each of its tags, as AWS's services put them in the request context.
   */
  addResourceTags(source: (arn: string) => Record<string, string> | undefined): void {
    this.resourceTagSources.push(source);
  }

  private withResourceTags(request: AuthorizationRequest): AuthorizationRequest {
    for (const source of this.resourceTagSources) {
      const tags = source(request.resource);
      if (!tags) continue;
      const context = { ...request.context };
      for (const [key, value] of Object.entries(tags)) context[`aws:ResourceTag/${key}`] ??= value;
      return { ...request, context };
    }
    return request;
  }

  /** Throws `AccessDeniedError` for the first request IAM would refuse (AWS reports one). */
  authorize(principal: Principal, requests: readonly AuthorizationRequest[], errorCode?: string): void {
    for (const request of requests) {
      const decision = this.decide(principal, this.options.enforce && principal.policies !== undefined ? this.withResourceTags(request) : request);
      if (decision !== 'Allowed') throw new AccessDeniedError(principal.arn, request, decision, errorCode);
    }
  }
}
