/**
 * A simulated VPC: private addresses and ENIs for tasks. Nothing here is ever contacted; the addresses only have
 * to be unique among live tasks and look like what awsvpc tasks get (10.0.x.y).
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../protocol';
import type { EniRecord } from './model';

/** 10.0.0.0/16, treated as 256 subnets of /24. */
const VPC_BASE = (10 << 24) >>> 0;
const VPC_SIZE = 1 << 16;

/** Default subnets (one per availability zone) used when a task has no `awsvpcConfiguration.subnets`. */
const DEFAULT_SUBNETS = ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'];
const ZONE_SUFFIXES = ['a', 'b', 'c'];

function toDotted(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.');
}

/** AWS reserves the first four addresses and the last one of every subnet. */
function reserved(offset: number): boolean {
  const host = offset & 0xff;
  return host < 4 || host === 255;
}

/** Hands out unique private IPv4 addresses of the simulated VPC and takes them back when tasks stop. */
export class AddressPool {
  private readonly inUse = new Set<number>();
  private cursor = 0;

  allocate(): string {
    for (let tried = 0; tried < VPC_SIZE; tried++) {
      const offset = this.cursor;
      this.cursor = (this.cursor + 1) % VPC_SIZE;
      if (reserved(offset) || this.inUse.has(offset)) continue;
      this.inUse.add(offset);
      return toDotted(VPC_BASE + offset);
    }
    throw new AwsServiceError('ClientException', 'The simulated VPC has no free private IPv4 address left.', 400);
  }

  release(address: string): void {
    const parts = address.split('.').map(Number);
    this.inUse.delete(((parts[2] << 8) | parts[3]) >>> 0);
  }

  get size(): number {
    return this.inUse.size;
  }
}

/** Random hex digits (from a UUID, minus its fixed version/variant digits). */
function randomHex(length: number): string {
  const hex = randomUUID().replaceAll('-', '');
  return (hex.slice(0, 12) + hex.slice(13, 16) + hex.slice(17)).slice(0, length);
}

function macAddress(): string {
  const hex = randomHex(12);
  // Locally administered, unicast (as AWS ENIs are): second hex digit is 2, 6, a or e.
  const first = `${hex[0]}${'26ae'[parseInt(hex[1], 16) % 4]}`;
  return [first, ...hex.slice(2).match(/../g)!].join(':');
}

/** Picks the subnet and zone for a task: round-robin over the requested subnets (or the default ones). */
export function placeTask(sequence: number, region: string, networkConfiguration: unknown): { subnetId: string; availabilityZone: string } {
  const requested = subnetsOf(networkConfiguration);
  const subnets = requested.length > 0 ? requested : DEFAULT_SUBNETS;
  const index = sequence % subnets.length;
  return { subnetId: subnets[index], availabilityZone: `${region}${ZONE_SUFFIXES[index % ZONE_SUFFIXES.length]}` };
}

function subnetsOf(networkConfiguration: unknown): string[] {
  if (!networkConfiguration || typeof networkConfiguration !== 'object') return [];
  const awsvpc = (networkConfiguration as { awsvpcConfiguration?: { subnets?: unknown } }).awsvpcConfiguration;
  return Array.isArray(awsvpc?.subnets) ? awsvpc.subnets.filter((s): s is string => typeof s === 'string') : [];
}

/** A new ENI for a task, in the PRECREATED state Fargate shows while provisioning. */
export function buildEni(subnetId: string, privateIp: string): EniRecord {
  return {
    attachmentId: randomUUID(),
    status: 'PRECREATED',
    subnetId,
    networkInterfaceId: `eni-${randomHex(17)}`,
    macAddress: macAddress(),
    privateIp,
  };
}
