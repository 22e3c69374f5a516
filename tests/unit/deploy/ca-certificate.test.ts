import { createHash, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { buildCaCertificate } from '../../../layers/deploy/ca-certificate';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const options = {
  commonName: 'Consul Agent CA shop',
  organization: 'consul-mesh',
  serial: Buffer.from('8102030405060708', 'hex'),
  notBefore: new Date('2026-12-06T00:00:00Z'),
  notAfter: new Date('2031-12-05T00:00:00Z'),
};

/** The hand-written DER of the CA certificate, read back by Node's and node-forge's X.509 parsers. */
describe('the self-signed CA certificate', () => {
  it('is a v3 CA certificate for the key, signed by it, with the names, serial and validity asked', () => {
    const cert = new X509Certificate(buildCaCertificate(privateKey, options));
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=Consul Agent CA shop\nO=consul-mesh');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(createPublicKey(privateKey))).toBe(true);
    // A serial whose high bit is set gets a leading zero byte: DER INTEGERs are signed.
    expect(cert.serialNumber).toBe('8102030405060708');
    expect(cert.raw.includes(Buffer.from('0209008102030405060708', 'hex'))).toBe(true);
    expect(new Date(cert.validFrom).toISOString()).toBe('2026-12-06T00:00:00.000Z');
    expect(new Date(cert.validTo).toISOString()).toBe('2031-12-05T00:00:00.000Z');
  });

  it('carries critical basicConstraints and keyUsage (certificate and CRL signing) and the RFC 5280 subject key identifier', () => {
    const cert = forge.pki.certificateFromPem(buildCaCertificate(privateKey, options));
    expect(cert.verify(cert)).toBe(true);
    expect(cert.getExtension('basicConstraints')).toMatchObject({ critical: true, cA: true });
    expect(cert.getExtension('keyUsage')).toMatchObject({ critical: true, keyCertSign: true, cRLSign: true, digitalSignature: true, keyEncipherment: false });
    const keyId = createHash('sha1').update(createPublicKey(privateKey).export({ type: 'pkcs1', format: 'der' })).digest('hex');
    expect((cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier: string }).subjectKeyIdentifier).toBe(keyId);
  });

  it('writes a date from 2050 on as GeneralizedTime, as RFC 5280 requires', () => {
    const cert = new X509Certificate(buildCaCertificate(privateKey, { ...options, notAfter: new Date('2051-01-02T03:04:05Z') }));
    expect(new Date(cert.validTo).toISOString()).toBe('2051-01-02T03:04:05.000Z');
  });
});
