import { once } from 'node:events';
import { createServer, connect as netConnect, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coalescedWrites } from '../../../src/transport/handshake.js';

// A real loopback TCP pair: what the server reads is what the client wrote, in order.
let server: Server;
let port = 0;
const received: Buffer[] = [];
let serverDone: Promise<void>;

beforeAll(async () => {
  let done!: () => void;
  serverDone = new Promise((r) => {
    done = r;
  });
  server = createServer((s) => {
    s.on('data', (d) => received.push(d));
    s.on('end', () => {
      s.end();
      done();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
});

afterAll(() => {
  server.close();
});

describe('coalescedWrites', () => {
  it('holds the writes of one tick together and sends every byte in order', async () => {
    const socket = coalescedWrites(netConnect({ host: '127.0.0.1', port }));
    await once(socket, 'connect');
    const callbacks: number[] = [];
    socket.write('one,', () => callbacks.push(1));
    socket.write(Buffer.from('two,'), () => callbacks.push(2));
    // Corked for the rest of this tick only.
    expect(socket.writableCorked).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(socket.writableCorked).toBe(0);
    socket.write('three,');
    socket.write('four');
    await new Promise((r) => setImmediate(r));
    socket.end();
    await serverDone;
    expect(Buffer.concat(received).toString()).toBe('one,two,three,four');
    expect(callbacks).toEqual([1, 2]);
  });
});
