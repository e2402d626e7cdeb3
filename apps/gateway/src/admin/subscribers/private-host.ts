import { BlockList, isIP } from 'node:net';

/** Loopback, private, link-local, "this network" and carrier-grade NAT ranges, IPv4 and IPv6. */
const PRIVATE_RANGES = new BlockList();
for (const [network, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) {
  PRIVATE_RANGES.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) {
  PRIVATE_RANGES.addSubnet(network, prefix, 'ipv6');
}

/**
 * True for `localhost` (and `*.localhost`) and for IP literals in the ranges above. `hostname` is
 * WHATWG `URL.hostname`, which already normalises `127.1`, `0x7f.0.0.1` and `2130706433` to
 * `127.0.0.1`; IPv4-mapped IPv6 (`[::ffff:7f00:1]`) is matched against the IPv4 ranges by Node.
 * Names that resolve to private addresses are the later DNS-rebinding check's business.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const version = isIP(host);
  return version !== 0 && PRIVATE_RANGES.check(host, version === 6 ? 'ipv6' : 'ipv4');
}
