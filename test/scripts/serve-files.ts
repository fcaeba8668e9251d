/** A real HTTP server on 127.0.0.1:0 serving `files` (URL path → body) and recording every request path. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function serveFiles(files: Record<string, Buffer>): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url!);
    const body = files[req.url!];
    if (!body) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}
