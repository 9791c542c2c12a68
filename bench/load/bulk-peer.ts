// The loopback endpoints of the bulk and scale measurements, one program, run as its own process
// (so its CPU and memory never count as the proxy's). Only 127.0.0.1 is used.
//   sink                 accepts connections, reads until the peer half-closes, answers "done"
//   source <port> <n>    sends n bytes, half-closes, waits for "done"; prints {"bytes","ms"}
//   hold-server          accepts connections and echoes whatever arrives; keeps them open
//   hold-client <port> <n>  opens n connections (in batches), sends 4 bytes on each and waits
//                        for the echo; prints {"open","echoed","errors","ms"}, then holds them
//                        until SIGTERM
import { connect, createServer, type Socket } from 'node:net';

const HOST = '127.0.0.1';
const CHUNK = Buffer.alloc(256 * 1024, 0x78);

function listen(onSocket: (socket: Socket) => void): void {
  const server = createServer({ allowHalfOpen: true, noDelay: true }, onSocket);
  server.listen({ host: HOST, port: 0, backlog: 4096 }, () => {
    const address = server.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  });
}

function sink(): void {
  listen((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.on('end', () => socket.end('done'));
  });
}

function source(port: number, total: number): void {
  const started = process.hrtime.bigint();
  const socket = connect({ host: HOST, port, noDelay: true, allowHalfOpen: true });
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      const size = Math.min(CHUNK.length, total - sent);
      sent += size;
      if (!socket.write(size === CHUNK.length ? CHUNK : CHUNK.subarray(0, size))) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  socket.once('connect', pump);
  let answer = '';
  socket.on('data', (data: Buffer) => (answer += data.toString()));
  socket.on('end', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(`${JSON.stringify({ bytes: sent, ms, ok: answer === 'done' })}\n`);
    process.exit(answer === 'done' ? 0 : 1);
  });
  socket.on('error', (error) => {
    process.stderr.write(`source: ${error.message}\n`);
    process.exit(1);
  });
}

function holdServer(): void {
  listen((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (data: Buffer) => socket.write(data));
  });
}

async function holdClient(port: number, count: number): Promise<void> {
  const started = Date.now();
  const sockets: Socket[] = [];
  let echoed = 0;
  let errors = 0;
  const open = (): Promise<void> =>
    new Promise((resolve) => {
      const socket = connect({ host: HOST, port, noDelay: true });
      sockets.push(socket);
      let settled = false;
      const done = (failed: boolean) => {
        if (settled) return;
        settled = true;
        if (failed) errors++;
        else echoed++;
        resolve();
      };
      socket.once('connect', () => socket.write('ping'));
      socket.once('data', () => done(false));
      socket.on('error', () => done(true));
      socket.once('close', () => done(true));
      socket.setTimeout(30_000, () => done(true));
    });
  const BATCH = 500;
  for (let i = 0; i < count; i += BATCH) {
    await Promise.all(Array.from({ length: Math.min(BATCH, count - i) }, open));
  }
  for (const socket of sockets) socket.setTimeout(0);
  process.stdout.write(`${JSON.stringify({ open: sockets.filter((s) => !s.destroyed).length, echoed, errors, ms: Date.now() - started })}\n`);
  process.on('SIGTERM', () => process.exit(0));
}

const [mode, a, b] = process.argv.slice(2);
if (mode === 'sink') sink();
else if (mode === 'source') source(Number(a), Number(b));
else if (mode === 'hold-server') holdServer();
else if (mode === 'hold-client') void holdClient(Number(a), Number(b));
else {
  process.stderr.write('usage: bulk-peer sink | source <port> <bytes> | hold-server | hold-client <port> <n>\n');
  process.exit(2);
}
