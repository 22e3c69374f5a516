'use strict';
/**
 * One of the sample services of the reference mesh (users, activities, todos, notifications). It has no
 * dependencies: node:http only, so the image is the Node.js base image plus this file. Every service runs the same
 * file (the tests check that the copies are identical); what differs comes from the environment.
 *
 *   GET /        200 {service, version, instance, upstream}: `upstream` is the answer of UPSTREAM_URL's /info, or
 *                null when the service has none. 502 with `upstream.error` when the upstream failed or timed out.
 *   GET /info    200 {service, version, instance}. Upstream calls ask for /info, never /, so users → todos → users
 *                cannot call each other in a loop.
 *   GET /health  200 {"status":"ok"}; 503 {"status":"shutting-down"} once SIGTERM has arrived.
 *
 * Environment: SERVICE_NAME, SERVICE_VERSION, PORT (8080), HOST (0.0.0.0), UPSTREAM_URL (the sidecar's local
 * upstream listener, e.g. http://127.0.0.1:1234), UPSTREAM_TIMEOUT_MS (2000), SHUTDOWN_DELAY_MS (0: how long to keep
 * serving, with /health at 503, before closing the listener), SHUTDOWN_TIMEOUT_MS (10000: how long in-flight
 * requests may take to finish before their connections are cut; keep it below the ECS stopTimeout of the container).
 */
const http = require('node:http');
const os = require('node:os');
const timers = require('node:timers');
const { URL } = require('node:url');

/** Upstream answers larger than this are cut off: the sample only reports a small JSON document. */
const MAX_UPSTREAM_BYTES = 64 * 1024;

function integerFromEnv(env, name, fallback, min, max) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function upstreamFromEnv(env) {
  const raw = env.UPSTREAM_URL;
  if (!raw) return null;
  const url = new URL(raw);
  // The sidecar proxy terminates mTLS: the application always talks plain HTTP to its local upstream listener.
  if (url.protocol !== 'http:') throw new Error(`UPSTREAM_URL must be an http:// URL, got "${raw}"`);
  return url;
}

function readConfig(env) {
  return {
    service: env.SERVICE_NAME || 'service',
    version: env.SERVICE_VERSION || '0.0.0',
    host: env.HOST || '0.0.0.0',
    port: integerFromEnv(env, 'PORT', 8080, 0, 65535),
    upstream: upstreamFromEnv(env),
    upstreamTimeoutMs: integerFromEnv(env, 'UPSTREAM_TIMEOUT_MS', 2000, 1, 60000),
    shutdownDelayMs: integerFromEnv(env, 'SHUTDOWN_DELAY_MS', 0, 0, 120000),
    shutdownTimeoutMs: integerFromEnv(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 0, 120000),
  };
}

function log(config, level, msg, fields) {
  const line = { time: new Date().toISOString(), level, service: config.service, msg, ...fields };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/**
 * Asks the upstream's /info through the local proxy. Never rejects: a refused connection, a timeout, a non-2xx
 * status or a body that is not JSON become `{ok: false, error}` so the caller can report it instead of crashing.
 */
function callUpstream(base, timeoutMs) {
  const target = new URL('/info', base);
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    let timer;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timer);
      resolve({ url: target.href, latencyMs: Date.now() - started, ...result });
    };
    const fail = (error) => finish({ ok: false, error: error.message, code: error.code });

    const request = http.get(target, { headers: { accept: 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        text += chunk;
        if (text.length > MAX_UPSTREAM_BYTES) request.destroy(new Error(`upstream answer exceeds ${MAX_UPSTREAM_BYTES} bytes`));
      });
      response.on('error', fail);
      response.on('close', () => {
        if (!response.complete) fail(new Error('upstream closed the connection before the answer was complete'));
      });
      response.on('end', () => {
        const status = response.statusCode;
        let body;
        try {
          body = JSON.parse(text);
        } catch {
          finish({ ok: false, status, error: 'upstream answer is not JSON', body: text.slice(0, 200) });
          return;
        }
        if (status < 200 || status > 299) finish({ ok: false, status, error: `upstream answered HTTP ${status}`, body });
        else finish({ ok: true, status, body });
      });
    });
    request.on('error', fail);
    timer = timers.setTimeout(
      () => request.destroy(Object.assign(new Error(`upstream did not answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
  });
}

function send(response, status, body, closing) {
  const text = JSON.stringify(body);
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  // While draining, tell keep-alive clients (the sidecar) not to reuse the connection, so the listener can close.
  if (closing) headers.connection = 'close';
  response.writeHead(status, headers);
  response.end(text);
}

function createServer(config, state) {
  const identity = () => ({ service: config.service, version: config.version, instance: os.hostname() });

  async function handle(request, response) {
    const path = new URL(request.url || '/', 'http://localhost').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      send(response, 405, { error: 'method not allowed' }, state.shuttingDown);
      return;
    }
    if (path === '/health') {
      send(response, state.shuttingDown ? 503 : 200, { status: state.shuttingDown ? 'shutting-down' : 'ok' }, state.shuttingDown);
      return;
    }
    if (path === '/info') {
      send(response, 200, identity(), state.shuttingDown);
      return;
    }
    if (path === '/') {
      if (!config.upstream) {
        send(response, 200, { ...identity(), upstream: null }, state.shuttingDown);
        return;
      }
      const upstream = await callUpstream(config.upstream, config.upstreamTimeoutMs);
      if (!upstream.ok) log(config, 'warn', 'upstream call failed', { url: upstream.url, error: upstream.error });
      send(response, upstream.ok ? 200 : 502, { ...identity(), upstream }, state.shuttingDown);
      return;
    }
    send(response, 404, { error: `no route for ${path}` }, state.shuttingDown);
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error) => {
      log(config, 'error', 'request failed', { error: error.message });
      if (!response.headersSent) send(response, 500, { error: 'internal error' }, state.shuttingDown);
      else response.destroy();
    });
  });
  // Keep idle connections open longer than a proxy typically keeps them, so the sidecar never reuses a connection
  // the application has just closed (a source of sporadic 502s); headersTimeout must exceed keepAliveTimeout.
  server.keepAliveTimeout = 65000;
  server.headersTimeout = 66000;
  return server;
}

/**
 * Graceful stop on SIGTERM (what ECS sends first): /health turns 503, the listener keeps serving for
 * SHUTDOWN_DELAY_MS, then stops accepting connections, lets in-flight requests finish and exits 0. Requests still
 * running after SHUTDOWN_TIMEOUT_MS have their connections cut and the process exits 1.
 */
function installShutdown(config, state, server) {
  const shutdown = (signal) => {
    if (state.shuttingDown) return;
    state.shuttingDown = true;
    log(config, 'info', 'shutting down', { signal, delayMs: config.shutdownDelayMs, timeoutMs: config.shutdownTimeoutMs });
    timers.setTimeout(() => {
      server.close((error) => {
        if (error) log(config, 'error', 'listener did not close cleanly', { error: error.message });
        else log(config, 'info', 'stopped');
        process.exit(error ? 1 : 0);
      });
      server.closeIdleConnections();
      timers
        .setTimeout(() => {
          log(config, 'warn', 'in-flight requests did not finish in time; closing their connections');
          server.closeAllConnections();
          process.exit(1);
        }, config.shutdownTimeoutMs)
        .unref();
    }, config.shutdownDelayMs);
  };
  // Node as PID 1 has no default signal handlers: without these, `docker stop` would wait for SIGKILL.
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function main() {
  let config;
  try {
    config = readConfig(process.env);
  } catch (error) {
    process.stderr.write(`invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
  const state = { shuttingDown: false };
  const server = createServer(config, state);
  installShutdown(config, state, server);
  server.listen(config.port, config.host, () => {
    const address = server.address();
    log(config, 'info', 'listening', {
      host: config.host,
      port: typeof address === 'object' && address ? address.port : config.port,
      version: config.version,
      upstream: config.upstream ? config.upstream.href : null,
    });
  });
}

main();
