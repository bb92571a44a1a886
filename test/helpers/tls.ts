/**
 * A self-signed certificate for 127.0.0.1 and localhost, made by openssl
 * when a test first asks for one (no key material in the repository, and
 * nothing to expire), removed when the test process exits.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where the key and certificate are, and the certificate's PEM (a client's `ca`). */
export interface TestCertificate {
  key_file: string
  cert_file: string
  ca: string
}

let made: TestCertificate | undefined

/** The certificate of this test process, made on first use. */
export function testCertificate(): TestCertificate {
  if (made) return made
  const dir = mkdtempSync(join(tmpdir(), 'pulsar-tls-'))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  const key_file = join(dir, 'key.pem')
  const cert_file = join(dir, 'cert.pem')
  // P-256: made in milliseconds, where an RSA key takes a noticeable part of a second
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      key_file,
      '-out',
      cert_file,
    ],
    { stdio: 'ignore' },
  )
  return (made = { key_file, cert_file, ca: readFileSync(cert_file, 'utf8') })
}
