/**
 * Consul configuration renderers of the domain core: pure functions from a mesh spec to the server `consul.hcl`,
 * the consul-dataplane configuration of each task, and the config entries. No I/O.
 */
export * from './hcl';
export * from './ports';
export * from './runtime-contract';
export * from './server-names';
export * from './retry-join';
export * from './server-hcl';
export * from './server-secrets';
export * from './launch-types';
export * from './server-launch';
export * from './parameter-names';
export * from './dataplane-target';
export * from './dataplane-config';
export * from './dataplane-launch';
export * from './config-entry-types';
export * from './service-defaults';
export * from './ingress-gateway-entry';
export * from './service-intentions';
export * from './config-entries';
