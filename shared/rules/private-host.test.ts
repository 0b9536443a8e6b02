import { describe, expect, it } from 'vitest';
import { isPrivateHost } from './private-host.ts';

const host = (url: string) => new URL(url).hostname;

describe('isPrivateHost', () => {
  it.each([
    'http://localhost:8080/hook',
    'http://api.localhost/hook',
    'http://127.0.0.1/hook',
    'http://127.5.6.7/hook',
    'http://2130706433/hook',
    'http://0x7f.1/hook',
    'http://10.1.2.3/hook',
    'http://172.16.0.1/hook',
    'http://172.31.255.255/hook',
    'http://192.168.1.10/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.1/hook',
    'http://0.0.0.0/hook',
    'http://[::1]/hook',
    'http://[::]/hook',
    'http://[fd12:3456::1]/hook',
    'http://[fe80::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:10.0.0.1]/hook',
  ])('should call %s private', (url) => {
    expect(isPrivateHost(host(url))).toBe(true);
  });

  it.each([
    'https://hooks.slack.com/services/T/B/x',
    'https://crm.example/hooks/inkling',
    'http://8.8.8.8/hook',
    'http://172.32.0.1/hook',
    'http://192.169.0.1/hook',
    'http://100.128.0.1/hook',
    'http://[2606:4700::1111]/hook',
    'http://[::ffff:8.8.8.8]/hook',
    'http://localhost.example.com/hook',
  ])('should call %s public', (url) => {
    expect(isPrivateHost(host(url))).toBe(false);
  });
});
