import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listenHost } from '../../src/listen-host.ts';

function config(baseUrl: string, isProduction = false) {
  return { baseUrl: new URL(baseUrl), isProduction };
}

describe('listenHost', () => {
  it('listens on loopback only in development with a loopback APP_BASE_URL', () => {
    const hosts = [
      'http://localhost:3000',
      'http://127.0.0.1:3000',
      'http://127.0.0.2:3000',
      'http://[::1]:3000',
    ].map((url) => listenHost(config(url)));

    assert.deepEqual(hosts, ['127.0.0.1', '127.0.0.1', '127.0.0.2', '::1']);
  });

  it('listens on every interface in development when APP_BASE_URL names another host', () => {
    const hosts = [
      'https://app.example.test',
      'http://192.168.1.20:3000',
      'http://localhost.example.test:3000',
      'http://[::]:3000',
    ].map((url) => listenHost(config(url)));

    assert.deepEqual(hosts, [undefined, undefined, undefined, undefined]);
  });

  it('listens on every interface in production, whatever APP_BASE_URL says', () => {
    const hosts = ['https://app.example.test', 'http://localhost:3000'].map((url) =>
      listenHost(config(url, true)),
    );

    assert.deepEqual(hosts, [undefined, undefined]);
  });
});
