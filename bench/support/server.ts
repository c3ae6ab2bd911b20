/**
 * The server the limiter benchmark measures against, run in its own process so its work does not
 * share an event loop with the load generator. Answers GET /apps/{app} like the Platform API and
 * sends its port to the parent (IPC) once listening; exits when the parent goes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((req, res) => {
  const name = decodeURIComponent((req.url ?? '').split('/')[2] ?? 'app');
  res.writeHead(200, { 'Content-Type': 'application/json', 'RateLimit-Remaining': '4500', 'Request-Id': 'bench' });
  res.end(JSON.stringify({ id: '11111111-1111-4111-8111-111111111111', name, maintenance: false }));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => process.exit(0));
