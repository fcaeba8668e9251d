/**
 * Appearance signature of one track (agent → hub, topic store/<store>/camera/<camera>/signatures): the averaged,
 * L2-normalised re-id embedding of the track's best crops, with the camera, times and zone context the hub's
 * identity resolution needs (docs/DESIGN.md, "Store-level identity"). Biometric data: it never leaves the
 * store's hub, is never served by the API, and expires (docs/DESIGN.md, "Privacy"). No pixels, ever.
 */
import { z } from 'zod';
import { idSchema, timestampSchema } from './event.js';

/** Longest embedding accepted: OSNet gives 512, the colour-histogram fallback 84. */
export const SIGNATURE_MAX_DIM = 2048;
/** Most signatures one MQTT message may carry. */
export const SIGNATURES_MAX_PER_MESSAGE = 200;
const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const signatureSchema = z
  .object({
    signature_id: z.string().regex(UUID_RE, 'must be a UUID').transform((s) => s.toLowerCase()),
    store_id: idSchema,
    camera_id: idSchema,
    visitor_id: z.string().min(1).max(64),
    /** Which embedder made it ('osnet', 'histogram'): only signatures of the same model are compared. */
    model: z.string().min(1).max(32),
    embedding: z.array(z.number().finite().min(-1).max(1)).min(8).max(SIGNATURE_MAX_DIM),
    /** How many crops were averaged. */
    crops: z.number().int().min(1).max(1000),
    first_seen: timestampSchema,
    last_seen: timestampSchema,
    /** The track crossed a door line inwards (ENTRY/REENTRY) at this time; null when it never did. */
    entered_at: timestampSchema.nullable().default(null),
    /** The same track went out through a door at this time; null when it did not. */
    exited_at: timestampSchema.nullable().default(null),
    /** The camera watches the entrance (it has door lines). */
    entrance_camera: z.boolean(),
    /** Zones the track was in (zone context). */
    zones: z.array(idSchema).max(64).default([]),
    is_staff: z.boolean(),
  })
  .superRefine((s, ctx) => {
    if (s.last_seen < s.first_seen) ctx.addIssue({ code: 'custom', path: ['last_seen'], message: 'must not be before first_seen' });
    const norm = Math.sqrt(s.embedding.reduce((a, x) => a + x * x, 0));
    if (Math.abs(norm - 1) > 0.01) ctx.addIssue({ code: 'custom', path: ['embedding'], message: `must be L2-normalised (norm ${norm.toFixed(3)})` });
  });

export type Signature = z.output<typeof signatureSchema>;
export type SignatureInput = z.input<typeof signatureSchema>;
