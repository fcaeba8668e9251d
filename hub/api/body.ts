import type { Context } from 'koa';
import { AppError } from '../../common/errors.js';

/** Reads the raw request body, refusing more than `maxBytes` (413) without buffering the excess. */
export async function readBody(ctx: Context, maxBytes: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      ctx.req.unpipe();
      ctx.req.resume(); // drain the rest so the socket can answer
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `request body is larger than ${maxBytes} bytes`, { limit_bytes: maxBytes });
}

/** Requires one of the given media types (parameters such as charset are allowed). */
export function requireContentType(ctx: Context, ...types: string[]): string {
  const type = (ctx.get('content-type') || '').split(';')[0]!.trim().toLowerCase();
  if (!types.includes(type)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `content-type must be ${types.join(' or ')} (got "${type || 'none'}")`);
  }
  return type;
}

export async function readJson(ctx: Context, maxBytes: number): Promise<unknown> {
  requireContentType(ctx, 'application/json');
  const raw = await readBody(ctx, maxBytes);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new AppError('INVALID_JSON', `body is not valid JSON: ${(err as Error).message}`);
  }
}
