import '../layers/polyfills';
// aws-local-stepfunctions, which the ASL unit tests run directly, needs Promise.withResolvers (Node 22 has it).
import '@consul-mesh/local-cloud/polyfills';
