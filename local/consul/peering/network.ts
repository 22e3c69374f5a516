import type { PeeringRecord, PeeringService } from './service';

/**
 * The network between the local cloud's Consul datacenters: what their servers' gRPC peering streams do.
 *
 * Every `intervalMs` it looks at each dialer's peering and the acceptor's peering it names (by the acceptor's
 * peering ID, which the dialer keeps as `PeerID`), and, as Consul's peer-stream does:
 * - connects them while both sides are reachable (a leader, the agent up, and a passing mesh gateway on a side
 *   that peers through mesh gateways): both become ACTIVE, and each side's exported services and their health
 *   replace what the other side imported from it;
 * - marks an interrupted stream FAILING on both sides (what was imported stays), ACTIVE again once it reconnects;
 * - sends the dialer the acceptor's mesh gateway addresses when they change (its `PeerServerAddresses`);
 * - carries a deletion: the deleting side's record goes (DELETING, then gone, its imports with it) and, when the
 *   stream is up, the other side's peering becomes TERMINATED.
 */
export class PeeringNetwork {
  private readonly members = new Set<PeeringService>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly intervalMs = 100) {}

  join(member: PeeringService): void {
    this.members.add(member);
    if (!this.timer) {
      this.timer = setInterval(() => this.sync(), this.intervalMs);
      // The stream simulation never keeps the process alive on its own.
      this.timer.unref();
    }
  }

  leave(member: PeeringService): void {
    this.members.delete(member);
    if (this.members.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** The datacenter that answers a dial of `address` for peering `peerId` (its acceptor-side record ID). */
  resolve(address: string, peerId: string): PeeringService | undefined {
    return [...this.members].find((m) => m.recordById(peerId)?.role === 'acceptor' && m.answersOn(address));
  }

  /** One round of the peering streams; runs on the timer, and tests may call it to step without waiting. */
  sync(): void {
    const now = new Date().toISOString();
    const seenAcceptors = new Set<PeeringRecord>();
    for (const dialerSide of this.members) {
      for (const dialer of dialerSide.records().filter((r) => r.role === 'dialer')) {
        const acceptorSide = [...this.members].find((m) => m !== dialerSide && m.recordById(dialer.PeerID ?? '')?.role === 'acceptor');
        const acceptor = acceptorSide?.recordById(dialer.PeerID ?? '');
        if (acceptor) seenAcceptors.add(acceptor);
        this.link(dialerSide, dialer, acceptorSide, acceptor, now);
      }
    }
    // Acceptors no dialer refers to any more (the dialer's side deleted its peering while the stream was down).
    for (const side of this.members) {
      for (const acceptor of side.records().filter((r) => r.role === 'acceptor' && !seenAcceptors.has(r))) {
        if (acceptor.State === 'DELETING') side.remove(acceptor);
        else if (acceptor.everConnected && acceptor.State === 'ACTIVE') setState(side, acceptor, 'FAILING', false);
      }
    }
  }

  private link(dialerSide: PeeringService, dialer: PeeringRecord, acceptorSide: PeeringService | undefined, acceptor: PeeringRecord | undefined, now: string): void {
    const up = acceptorSide !== undefined && acceptor !== undefined && dialerSide.reachable() && acceptorSide.reachable() && acceptor.streamSecret !== undefined && acceptor.streamSecret === dialer.streamSecret;
    // A deletion: the deleting side tells the other over the stream (Terminated), then its leader removes the peering.
    for (const [side, record, otherSide, other] of [
      [dialerSide, dialer, acceptorSide, acceptor],
      [acceptorSide, acceptor, dialerSide, dialer],
    ] as const) {
      if (side && record?.State === 'DELETING') {
        if (up && otherSide && other && other.State !== 'DELETING' && other.State !== 'TERMINATED') setState(otherSide, other, 'TERMINATED', false);
        side.remove(record);
        return;
      }
    }
    if (!acceptorSide || !acceptor) {
      if (dialer.everConnected && dialer.State === 'ACTIVE') setState(dialerSide, dialer, 'FAILING', false);
      return;
    }
    if (dialer.State === 'TERMINATED' || acceptor.State === 'TERMINATED') return;
    if (!up) {
      // A stream that never connected keeps its initial state; one that did is FAILING until it reconnects.
      for (const [side, record] of [[dialerSide, dialer], [acceptorSide, acceptor]] as const) {
        if (record.everConnected && record.State !== 'FAILING') setState(side, record, 'FAILING', false);
      }
      return;
    }
    const fromAcceptor = acceptorSide.exportsTo(acceptor.Name, dialer.Name);
    const fromDialer = dialerSide.exportsTo(dialer.Name, acceptor.Name);
    for (const [side, record, imports, exported, remoteDc] of [
      [dialerSide, dialer, fromAcceptor, fromDialer.names, acceptorSide.datacenter],
      [acceptorSide, acceptor, fromDialer, fromAcceptor.names, dialerSide.datacenter],
    ] as const) {
      const changed = [...new Set([...changedServices(record.imported, imports.instances), ...changedServices(record.importedConnect, imports.connect)])];
      const stateChanged = record.State !== 'ACTIVE' || !record.connected || JSON.stringify(record.exported) !== JSON.stringify(exported) || record.Remote.Datacenter !== remoteDc;
      record.lastHeartbeat = record.lastReceive = record.lastSend = now;
      if (changed.length === 0 && !stateChanged) continue;
      record.State = 'ACTIVE';
      record.connected = true;
      record.everConnected = true;
      record.imported = imports.instances;
      record.importedConnect = imports.connect;
      record.exported = exported;
      record.Remote = { Partition: record.Remote.Partition || 'default', Datacenter: remoteDc };
      side.touch(record, changed);
    }
    // The acceptor's gateways moved (a `wan` switch, new gateway tasks): the stream tells the dialer their new
    // addresses, so an ACTIVE peering follows them without a new token (service.ts, streamServerAddresses).
    const addresses = acceptorSide.streamServerAddresses();
    if (addresses && JSON.stringify(addresses) !== JSON.stringify(dialer.PeerServerAddresses ?? [])) {
      dialer.PeerServerAddresses = addresses;
      dialerSide.touch(dialer);
    }
  }
}

function setState(side: PeeringService, record: PeeringRecord, state: PeeringRecord['State'], connected: boolean): void {
  record.State = state;
  record.connected = connected;
  side.touch(record);
}

/** Service names whose replicated instances differ between two imports. */
function changedServices(before: ReadonlyMap<string, readonly unknown[]>, after: ReadonlyMap<string, readonly unknown[]>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => JSON.stringify(before.get(name) ?? []) !== JSON.stringify(after.get(name) ?? []));
}
