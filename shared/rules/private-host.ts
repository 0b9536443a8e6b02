/**
 * Whether a URL's hostname (as `new URL(u).hostname` gives it: IPv4 in dotted decimal, IPv6
 * in brackets, names lowercase) names this machine or a private network: `localhost` and
 * `*.localhost`, IPv4 loopback, private, link-local, carrier-grade NAT and "this network"
 * ranges, IPv6 loopback, unspecified, unique-local and link-local addresses, and IPv4-mapped
 * IPv6 forms of those. A name is judged by its text only: one that resolves to a private
 * address is not caught here.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host.startsWith('[') && host.endsWith(']')) return isPrivateIpv6(host.slice(1, -1));
  const v4 = ipv4(host);
  return v4 !== null && isPrivateIpv4(v4);
}

function ipv4(text: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

function isPrivateIpv4([a, b]: number[]): boolean {
  if (a === undefined || b === undefined) return false;
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

function isPrivateIpv6(text: string): boolean {
  if (text === '::1' || text === '::') return true;
  // IPv4-mapped (::ffff:a.b.c.d, which URL writes as ::ffff:XXXX:XXXX).
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(text);
  if (mapped) {
    const hi = Number.parseInt(mapped[1] ?? '0', 16);
    const lo = Number.parseInt(mapped[2] ?? '0', 16);
    return isPrivateIpv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  }
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4(dotted[1] ?? '');
    return v4 !== null && isPrivateIpv4(v4);
  }
  const first = Number.parseInt(text.split(':')[0] || '0', 16);
  // fc00::/7 unique local, fe80::/10 link local.
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}
