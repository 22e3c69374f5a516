/**
 * `consul.json`: the Consul emulator's Raft state (catalog, checks, KV, config entries, indexes) and its ACL
 * policies and tokens (version 2; version 1 kept tokens without policies). The catalog is saved as it is,
 * registrations of since-vanished tasks included: see
 * `local/consul/store/saved-state.ts`.
 */
import { z } from 'zod';
import type { ConsulSnapshot } from '../../consul';
import type { StateFormat } from '../format';
import { count } from './common';

const indexes = { CreateIndex: count, ModifyIndex: count };
const stringMap = z.record(z.string(), z.string());
const jsonObject = z.record(z.string(), z.unknown());

const node = z.looseObject({
  ID: z.string(),
  Node: z.string().min(1),
  Address: z.string(),
  Datacenter: z.string(),
  TaggedAddresses: stringMap.nullable(),
  Meta: stringMap.nullable(),
  ...indexes,
});

const service = z.looseObject({
  Node: z.string().min(1),
  Kind: z.string(),
  ID: z.string().min(1),
  Service: z.string().min(1),
  Tags: z.array(z.string()).nullable(),
  Address: z.string(),
  TaggedAddresses: z.record(z.string(), z.looseObject({ Address: z.string(), Port: z.number().int() })).nullable(),
  Meta: stringMap.nullable(),
  Port: z.number().int(),
  Weights: z.looseObject({ Passing: z.number(), Warning: z.number() }),
  EnableTagOverride: z.boolean(),
  Proxy: jsonObject,
  Connect: jsonObject,
  ...indexes,
});

const check = z.looseObject({
  Node: z.string().min(1),
  CheckID: z.string().min(1),
  Name: z.string(),
  Status: z.string(),
  Notes: z.string(),
  Output: z.string(),
  ServiceID: z.string(),
  ServiceName: z.string(),
  ServiceTags: z.array(z.string()),
  Type: z.string(),
  Definition: jsonObject,
  ...indexes,
});

const kv = z.looseObject({
  Key: z.string(),
  Flags: z.number().int().nonnegative(),
  Value: z.base64().nullable(),
  LockIndex: count,
  Session: z.string(),
  ...indexes,
});

const configEntry = z.looseObject({ Kind: z.string().min(1), Name: z.string().min(1), Body: jsonObject, ...indexes });

const state = z.looseObject({
  index: count,
  nodes: z.array(node),
  services: z.array(service),
  checks: z.array(check),
  kv: z.array(kv),
  tombstones: z.array(z.tuple([z.string(), count])),
  configEntries: z.array(configEntry),
  serviceIndexes: z.array(z.tuple([z.string(), count])),
  indexes: z.looseObject({ nodes: count, services: count, checks: count, kvs: count, configEntries: count, serviceExtinction: count }),
});

const schema: z.ZodType<ConsulSnapshot> = z.looseObject({
  state,
  acl: z.looseObject({
    policies: z.array(
      z.looseObject({ ID: z.string().min(1), Name: z.string().min(1), Description: z.string(), Rules: z.string(), Datacenters: z.array(z.string()).optional(), ...indexes }),
    ),
    tokens: z.array(
      z.looseObject({
        AccessorID: z.string().min(1),
        SecretID: z.string().min(1),
        Description: z.string(),
        Policies: z.array(z.looseObject({ ID: z.string().min(1), Name: z.string() })),
        ServiceIdentities: z.array(z.looseObject({ ServiceName: z.string().min(1), Datacenters: z.array(z.string()).optional() })).optional(),
        Local: z.boolean(),
        CreateTime: z.string(),
        ...indexes,
      }),
    ),
    shorthand: z.array(z.looseObject({ accessorId: z.string().min(1), policy: z.enum(['read', 'write']) })).optional(),
  }),
});

export const CONSUL_STATE: StateFormat<ConsulSnapshot> = { service: 'consul', file: 'consul.json', version: 2, schema };
