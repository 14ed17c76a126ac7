// Hashes a password (read from stdin, never from argv, which other users can see in ps) in ASP.NET Core Identity's
// PasswordHasher v3 format, so `./dataspace up` can seed demo users while the database only ever stores hashes:
// base64( 0x01 | prf uint32 BE (2 = HMAC-SHA512) | iterations uint32 BE | salt length uint32 BE | salt | 32-byte subkey ).
// The same parameters as PasswordHasher<T>'s defaults in .NET 8+ (100,000 iterations, 128-bit salt), so it verifies
// without asking for a rehash (checked by tests/DataSpace.Api.Tests DemoPasswordHashTests).
import { pbkdf2Sync, randomBytes } from 'node:crypto';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
if (password.length === 0) {
  console.error('password-hash: no password on stdin');
  process.exit(2);
}

const iterations = 100_000;
const salt = randomBytes(16);
const subkey = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha512');
const header = Buffer.alloc(13);
header.writeUInt8(1, 0);
header.writeUInt32BE(2, 1);
header.writeUInt32BE(iterations, 5);
header.writeUInt32BE(salt.length, 9);
process.stdout.write(Buffer.concat([header, salt, subkey]).toString('base64') + '\n');
