// The guard every test process preloads; imported here too, so this file is safe when run alone.
import '../support/network-guard.ts';
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import tls from 'node:tls';
import { listenLocal } from '../support/local-server.ts';

const refused = (host: string) => ({
  name: 'NetworkGuardError',
  code: 'ERR_NETWORK_GUARD',
  message: new RegExp(`refused .*${host.replaceAll('.', '\\.')}`),
});

describe('the network guard', () => {
  it('refuses fetch to a host beyond loopback, naming it', async () => {
    const call = fetch('http://example.com/');

    await assert.rejects(call, refused('example.com'));
  });

  it('refuses net.connect to an address beyond loopback before a packet is sent', () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never routed, and the guard throws before trying.
    const connect = () => net.connect(80, '192.0.2.1');

    assert.throws(connect, refused('192.0.2.1:80'));
  });

  it('refuses TLS and http.request to a named host', () => {
    const viaTls = () => tls.connect({ host: 'example.com', port: 443 });
    const viaHttp = () => http.get('http://example.com/');

    assert.throws(viaTls, refused('example.com:443'));
    assert.throws(viaHttp, refused('example.com:80'));
  });

  it('refuses a DNS lookup of any name but localhost', async () => {
    const query = lookup('example.com');

    await assert.rejects(query, refused('example.com'));
  });

  it('lets fetch and net.connect reach 127.0.0.1 and localhost', async (t: TestContext) => {
    const server = await listenLocal((_req, res) => res.end('local'));
    t.after(() => server.close());

    const byAddress = await fetch(`${server.url}/`);
    const socket = net.connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.destroy();
    const localhost = await lookup('localhost');

    assert.equal(await byAddress.text(), 'local');
    assert.ok(net.isIP(localhost.address), 'localhost resolves');
  });
});
