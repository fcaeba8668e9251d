import { PassThrough } from 'node:stream';
import type { Context } from 'koa';

/**
 * Turns a Koa response into a Server-Sent Events stream and returns its body: no socket timeout, no Nagle delay,
 * no caching or proxy buffering, and `Connection: close`, because a kept-alive socket left behind would hold
 * server.close() until its timeout.
 */
export function openEventStream(ctx: Context): PassThrough {
  const body = new PassThrough();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.status = 200;
  ctx.type = 'text/event-stream';
  ctx.set('Cache-Control', 'no-cache, no-transform');
  ctx.set('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
  ctx.set('Connection', 'close');
  ctx.body = body;
  return body;
}
