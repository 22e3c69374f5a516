import { X509Certificate } from 'node:crypto';

/**
 * Who trusts whom among the TLS members of the mesh: the Consul servers (each presents the certificate its
 * entrypoint signed at start, and verifies its peers' against its `ca_file`) and the dataplanes (each verifies the
 * servers' certificates against its `-ca-certs`). Nothing listens on the simulated tasks' addresses, so no handshake
 * happens locally; this ledger stands in for the handshakes, with the same rule Go's crypto/tls applies: a peer's
 * certificate is accepted when one certificate of the CA file issued and signed it (x509.CertPool loads every
 * certificate of a PEM file).
 *
 * A member is recorded when its process starts (task-processes/index.ts) and counts until its task is STOPPED:
 * a task that is being stopped still serves and still connects.
 */

export interface TlsMemberRecord {
  readonly taskArn: string;
  readonly region: string;
  /** Which mesh it belongs to: the CA parameter it reads (each mesh has its own CA; meshes never talk TLS to each other). */
  readonly scope: string;
  /** `server`, or the dataplane of `service` (a mesh service or the ingress gateway). */
  readonly role: 'server' | 'dataplane';
  readonly service: string;
  /** The CA certificates it trusts (its CA file, split). */
  readonly trusts: readonly X509Certificate[];
  /** A server's own certificate. */
  readonly presents?: X509Certificate;
}

/** What a sampler sees of one member: fingerprints only, never a key. */
export interface TlsMemberView {
  readonly taskArn: string;
  readonly role: 'server' | 'dataplane';
  readonly service: string;
  /** SHA-256 fingerprints of the CAs it trusts. */
  readonly trusts: readonly string[];
  /** A server's certificate's issuer: the fingerprint of the CA of its own bundle that signed it. */
  readonly issuedBy?: string;
}

/** The certificates of a PEM file, in order; blocks that do not parse are skipped, as AppendCertsFromPEM skips them. */
export function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const certificates: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      certificates.push(new X509Certificate(block));
    } catch {
      // Not a certificate Go would load either.
    }
  }
  return certificates;
}

/** The CA of `trusts` that issued and signed `certificate`, or undefined: crypto/tls's "certificate signed by unknown authority". */
export function issuerIn(certificate: X509Certificate, trusts: readonly X509Certificate[]): X509Certificate | undefined {
  return trusts.find((ca) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey));
}

export class TlsTrustLedger {
  private readonly members = new Map<string, TlsMemberRecord>();

  /** `alive(taskArn, region)`: the task has not STOPPED (ECS). */
  constructor(private readonly alive: (taskArn: string, region: string) => boolean) {}

  /** The running members (stopped ones are forgotten), of one mesh when `scope` is given. */
  running(scope?: string): TlsMemberRecord[] {
    for (const [arn, member] of this.members) if (!this.alive(arn, member.region)) this.members.delete(arn);
    return [...this.members.values()].filter((m) => scope === undefined || m.scope === scope);
  }

  /**
   * A server about to serve: undefined when it and every running server trust each other (its peers verify its
   * certificate, it verifies theirs: `verify_incoming` and `verify_server_hostname` on internal RPC), else why not.
   * A running dataplane that cannot verify it is not the new server's problem: that shows as a violation.
   */
  admitServer(member: TlsMemberRecord): string | undefined {
    const peers = this.running(member.scope).filter((m) => m.role === 'server' && m.taskArn !== member.taskArn);
    for (const peer of peers) {
      if (member.presents && !issuerIn(member.presents, peer.trusts)) return `a running server (${peer.taskArn}) rejects this server's certificate: x509: certificate signed by unknown authority`;
      if (peer.presents && !issuerIn(peer.presents, member.trusts)) return `this server rejects a running server's certificate (${peer.taskArn}): x509: certificate signed by unknown authority`;
    }
    this.members.set(member.taskArn, member);
    return undefined;
  }

  /** A dataplane about to connect: undefined when it verifies every running server's certificate (it may be sent to any). */
  admitDataplane(member: TlsMemberRecord): string | undefined {
    for (const server of this.running(member.scope).filter((m) => m.role === 'server')) {
      if (server.presents && !issuerIn(server.presents, member.trusts)) return `x509: certificate signed by unknown authority (server ${server.taskArn})`;
    }
    this.members.set(member.taskArn, member);
    return undefined;
  }

  /** Every pair of running members where one rejects the other's server certificate, now. Empty when all trust each other. */
  violations(): string[] {
    const running = this.running();
    const found: string[] = [];
    for (const server of running.filter((m) => m.role === 'server' && m.presents)) {
      for (const member of running) {
        if (member.taskArn === server.taskArn || member.scope !== server.scope || issuerIn(server.presents as X509Certificate, member.trusts)) continue;
        found.push(`${member.role} ${member.service} (${member.taskArn}) does not trust server ${server.taskArn}`);
      }
    }
    return found;
  }

  /** The running members, by fingerprints. */
  view(): TlsMemberView[] {
    return this.running().map((m) => {
      const issuer = m.presents ? issuerIn(m.presents, m.trusts) : undefined;
      return {
        taskArn: m.taskArn,
        role: m.role,
        service: m.service,
        trusts: m.trusts.map((c) => c.fingerprint256),
        ...(issuer ? { issuedBy: issuer.fingerprint256 } : {}),
      };
    });
  }
}
