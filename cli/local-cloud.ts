/**
 * The one place the product meets the local cloud (`local/`, the `@consul-mesh/local-cloud` workspace package): it
 * starts the local cloud with this product's conventions, which the local cloud cannot know, as it knows only AWS
 * and Consul. `npm start`, `npm run local`, the tests and the benchmarks start a whole local cloud through here.
 * ESLint keeps every other product module (layers/, functions/, cli/, bin/) from importing the local cloud, and
 * the local cloud from importing the product.
 *
 * @example const cloud = await startLocalCloud({ ports: { aws: 0, consul: 0, httpApi: 0 } });
 */
import { LocalCloud, parseDataDirOptions, type LocalCloudOptions, type ProductConventions } from '@consul-mesh/local-cloud';
import { SERVER_RUNTIME } from '../layers/domain/consul/runtime-contract';
import { SERVER_SERVICE_NAME } from '../layers/domain/naming';
import { DNS_LABEL, DNS_LABEL_HINT } from '../layers/domain/spec/names';

export { LocalCloud, parseDataDirOptions, type LocalCloudOptions };

/** The names this product chooses that the local cloud must follow to behave as AWS would with it deployed. */
export const MESH_CONVENTIONS: ProductConventions = {
  consulServerService: SERVER_SERVICE_NAME,
  serverSecrets: { gossipKey: SERVER_RUNTIME.env.gossipKey, bootstrapToken: SERVER_RUNTIME.env.bootstrapToken, caCert: SERVER_RUNTIME.env.caCert },
  serverHealthCheckTokenFile: SERVER_RUNTIME.healthCheckTokenFile,
  // serverless.yml's `meshName` parameter names the stack's resources, as the mesh spec's name does.
  meshName: { pattern: DNS_LABEL, hint: DNS_LABEL_HINT },
};

/** The options of {@link LocalCloud.start} but the conventions, which are this product's. */
export type MeshCloudOptions = Omit<LocalCloudOptions, 'conventions'>;

/** Starts the local cloud with this product's conventions; see {@link LocalCloudOptions}. */
export function startLocalCloud(options: MeshCloudOptions = {}): Promise<LocalCloud> {
  return LocalCloud.start({ ...options, conventions: MESH_CONVENTIONS });
}
