import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import { isPrivateAddress } from '@kyc/core';

/** A connection refused because it would reach a private, loopback, link-local or metadata address. */
export class BlockedAddressError extends Error {
  constructor(host: string, address: string) {
    super(`blocked private address ${address}${address === host ? '' : ` (${host})`}; set ALLOW_PRIVATE_SUBSCRIBER_URLS=true to allow it`);
    this.name = 'BlockedAddressError';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * dns.lookup for net/tls.connect that fails when any address of the name is private. It runs for
 * every new connection, on the addresses the socket will then use, so a name that resolved to a
 * public address when the subscriber was saved and to 127.0.0.1 now (DNS rebinding) is refused.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const blocked = addresses.find((answer) => isPrivateAddress(answer.address));
    if (blocked) return callback(new BlockedAddressError(hostname, blocked.address), []);
    // With autoSelectFamily (Node's default) net asks for every address; otherwise for one.
    if (options.all) return callback(null, addresses);
    if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

/**
 * An undici connector that refuses private addresses: IP literals here (net does not look them
 * up), names through guardedLookup.
 */
export function guardedConnector(options: buildConnector.BuildOptions): buildConnector.connector {
  const connect = buildConnector({ ...options, lookup: guardedLookup });
  return (target, callback) => {
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) !== 0 && isPrivateAddress(host)) return callback(new BlockedAddressError(host, host), null);
    connect(target, callback);
  };
}
