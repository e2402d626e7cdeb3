import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPrivateAddress, isPrivateHost, withTimeout } from '@kyc/core';

/** How long creation waits for DNS before giving the name the benefit of the doubt. */
const RESOLVE_TIMEOUT_MS = 3_000;

/**
 * Whether an HTTP subscriber's host is refused: `localhost`, a private IP literal, or a name whose
 * addresses include a private one (the delivery would refuse to connect to it anyway, see the
 * worker's guarded-connect.ts). A name that does not resolve now (no such name yet, DNS down) is
 * accepted: the check at connect time is the one that counts, since DNS can change afterwards.
 */
export async function isRefusedHost(hostname: string, resolve: typeof resolveAll = resolveAll): Promise<boolean> {
  if (isPrivateHost(hostname)) return true;
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) return false;
  const addresses = await resolve(host).catch(() => []);
  return addresses.some(isPrivateAddress);
}

function resolveAll(host: string): Promise<string[]> {
  const addresses = lookup(host, { all: true, verbatim: true }).then((answers) => answers.map((answer) => answer.address));
  return withTimeout(addresses, RESOLVE_TIMEOUT_MS, (): string[] => []);
}
