// A client that writes and half-closes at once, before the proxy has its upstream connection,
// must still have its FIN relayed: the server reads to EOF, answers, and closes. Covered for
// TCP mappings and CONNECT tunnels, on the native relay (no fault) and through the JavaScript
// pipeline (a fault active).
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type FaultProcess, startFault } from './support/fault-process';
import { listen } from './support/servers';

/** Reads until EOF, then answers with what it got and closes. */
function readToEofServer(): net.Server {
  return net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => {});
    let got = '';
    socket.setEncoding('utf8').on('data', (d: string) => (got += d));
    socket.on('end', () => socket.end(`got ${JSON.stringify(got)}`));
  });
}

/** Writes `prefix + payload` and its FIN in one go as soon as it is connected; collects to EOF. */
function writeAndHalfClose(port: number, payload: string, prefix = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => socket.end(prefix + payload));
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no EOF within 5 s; got so far: ${JSON.stringify(text)}`));
    }, 5000);
    socket.setEncoding('latin1').on('data', (d: string) => (text += d));
    socket.on('end', () => {
      clearTimeout(timer);
      socket.end();
      resolve(prefix ? text.replace(/^HTTP\/1\.1 200[^\r]*\r\n\r\n/, '') : text);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

const LATENCY = ['--with-latency', '--latency-mean', '5', '--latency-stddev', '0'];

describe('a FIN sent before the upstream is connected', () => {
  let server: net.Server;
  let port: number;
  const faults: FaultProcess[] = [];

  before(async () => {
    server = readToEofServer();
    port = await listen(server);
  });
  after(async () => {
    for (const fault of faults) await fault.stop();
    server.close();
  });

  for (const [name, extra] of [['no fault (native relay)', []], ['latency (JavaScript pipeline)', LATENCY]] as const) {
    it(`TCP mapping, ${name}: data and FIN reach the server, its answer and EOF come back`, async () => {
      const fault = await startFault(['--disable-http-proxy', '--workers', '1', '--proxy', `127.0.0.1:0=127.0.0.1:${port}`, ...extra]);
      faults.push(fault);
      for (let i = 0; i < 20; i++) assert.equal(await writeAndHalfClose(fault.mappingPorts[0], `PING ${i}`), `got "PING ${i}"`);
      assert.equal(await writeAndHalfClose(fault.mappingPorts[0], ''), 'got ""');
    });

    it(`CONNECT tunnel, ${name}: bytes and FIN behind the CONNECT head reach the server`, async () => {
      const upstream = extra.length > 0 ? ['--upstream', '*'] : [];
      const fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '1', ...upstream, ...extra]);
      faults.push(fault);
      const head = `CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
      for (let i = 0; i < 20; i++) assert.equal(await writeAndHalfClose(fault.proxyPort!, `PING ${i}`, head), `got "PING ${i}"`);
    });
  }
});
