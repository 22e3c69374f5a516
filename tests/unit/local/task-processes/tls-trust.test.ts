import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { issueCaCertificate } from '../../../../layers/deploy/secrets';
import { TlsTrustLedger, parseCertificates } from '../../../../local/task-processes/tls-trust';

/** The local stand-in for TLS handshakes between the mesh's tasks: who trusts whom, by Go's rule (any CA of the file). */
function newCa(): { cert: string; key: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return { key: privateKey, cert: issueCaCertificate({ name: 'm' }, privateKey) };
}

/** A server certificate signed by `ca`. */
function serverCert(ca: { cert: string; key: string }): X509Certificate {
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '02';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3600_000);
  cert.setSubject([{ name: 'commonName', value: 'server.dc1.consul' }]);
  cert.setIssuer(forge.pki.certificateFromPem(ca.cert).subject.attributes);
  cert.sign(forge.pki.privateKeyFromPem(ca.key), forge.md.sha256.create());
  return new X509Certificate(forge.pki.certificateToPem(cert));
}

describe('TlsTrustLedger', () => {
  const oldCa = newCa();
  const newCaPair = newCa();
  const both = parseCertificates(`${oldCa.cert}${newCaPair.cert}`);
  const onlyOld = parseCertificates(oldCa.cert);
  const onlyNew = parseCertificates(newCaPair.cert);

  function ledger(): { ledger: TlsTrustLedger; stopped: Set<string> } {
    const stopped = new Set<string>();
    return { ledger: new TlsTrustLedger((arn) => !stopped.has(arn)), stopped };
  }

  it('parses every certificate of a bundle, in order', () => {
    expect(both.map((c) => c.fingerprint256)).toEqual([new X509Certificate(oldCa.cert).fingerprint256, new X509Certificate(newCaPair.cert).fingerprint256]);
  });

  it('admits a server signed by the new CA once every running server trusts both, and refuses it before', () => {
    const { ledger: l } = ledger();
    expect(l.admitServer({ taskArn: 's1', region: 'r', scope: 'm', role: 'server', service: 'consul-server', trusts: onlyOld, presents: serverCert(oldCa) })).toBeUndefined();

    expect(l.admitServer({ taskArn: 's2', region: 'r', scope: 'm', role: 'server', service: 'consul-server', trusts: both, presents: serverCert(newCaPair) })).toContain('a running server (s1) rejects');
    expect(l.admitServer({ taskArn: 's3', region: 'r', scope: 'm', role: 'server', service: 'consul-server', trusts: onlyNew, presents: serverCert(newCaPair) })).toContain('rejects');

    expect(l.admitServer({ taskArn: 's1b', region: 'r', scope: 'm', role: 'server', service: 'consul-server', trusts: both, presents: serverCert(oldCa) })).toBeUndefined();
  });

  it('refuses a dataplane that cannot verify a running server, and reports a running dataplane a new server is not trusted by', () => {
    const { ledger: l, stopped } = ledger();
    l.admitServer({ taskArn: 's1', region: 'r', scope: 'm', role: 'server', service: 'consul-server', trusts: both, presents: serverCert(oldCa) });
    expect(l.admitDataplane({ taskArn: 'd1', region: 'r', scope: 'm', role: 'dataplane', service: 'users', trusts: onlyNew })).toContain('x509: certificate signed by unknown authority (server s1)');
    expect(l.admitDataplane({ taskArn: 'd2', region: 'r', scope: 'm', role: 'dataplane', service: 'users', trusts: onlyOld })).toBeUndefined();
    expect(l.violations()).toEqual([]);

    // A server of the new CA while d2 trusts the old one only: a violation, until d2 stops.
    l.admitServer({ taskArn: 's2', region: 'r', scope: 'm', role: 'server', service: 'consul-server', trusts: both, presents: serverCert(newCaPair) });
    expect(l.violations()).toEqual(['dataplane users (d2) does not trust server s2']);
    stopped.add('d2');
    expect(l.violations()).toEqual([]);
    expect(l.view().map((m) => m.taskArn)).toEqual(['s1', 's2']);
  });

  it('keeps meshes apart: another mesh\'s servers, of another CA, are nobody\'s peers here', () => {
    const { ledger: l } = ledger();
    l.admitServer({ taskArn: 'a1', region: 'r', scope: 'mesh-a', role: 'server', service: 'consul-server', trusts: onlyOld, presents: serverCert(oldCa) });

    expect(l.admitServer({ taskArn: 'b1', region: 'r', scope: 'mesh-b', role: 'server', service: 'consul-server', trusts: onlyNew, presents: serverCert(newCaPair) })).toBeUndefined();
    expect(l.admitDataplane({ taskArn: 'b2', region: 'r', scope: 'mesh-b', role: 'dataplane', service: 'users', trusts: onlyNew })).toBeUndefined();
    expect(l.violations()).toEqual([]);
  });
});
