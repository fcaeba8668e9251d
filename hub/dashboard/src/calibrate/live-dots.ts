import { streamUrl } from '../api.js';
import type { Pt, ShapeKey } from './model.js';

/** Positions message of GET /stores/:id/cameras/:cam/live (common/live.ts). */
interface Positions {
  ts: number;
  tracks: { id: number; x: number; y: number }[];
  fired: { type: string; zone_id: string | null }[];
}

const TRAIL = 12;
const FLASH_MS = 900;

/**
 * The live dots: opens the camera's positions stream (which is what asks the agent to send them), keeps each
 * track's short trail, and turns fired events into flashes: a crossing (ENTRY, EXIT, REENTRY) lights the door
 * lines, a zone entry lights its zone. Events reach the page when the agent releases them (up to the staff-vote
 * hold, ~3 s, after the crossing).
 */
export function watchLive(path: string, zoneIndex: (zoneId: string) => number, lineCount: () => number, onChange: () => void) {
  const trails = new Map<number, Pt[]>();
  const flashes = new Map<ShapeKey, number>();
  let received = 0;
  const source = new EventSource(streamUrl(path));
  source.addEventListener('positions', (e) => {
    const p = JSON.parse((e as MessageEvent<string>).data) as Positions;
    received += 1;
    const seen = new Set<number>();
    for (const t of p.tracks) {
      seen.add(t.id);
      const trail = [...(trails.get(t.id) ?? []), [t.x, t.y] as Pt].slice(-TRAIL);
      trails.set(t.id, trail);
    }
    for (const id of [...trails.keys()]) if (!seen.has(id)) trails.delete(id);
    const until = Date.now() + FLASH_MS;
    for (const f of p.fired) {
      if (f.type === 'ENTRY' || f.type === 'EXIT' || f.type === 'REENTRY') for (let i = 0; i < lineCount(); i++) flashes.set(`line:${i}`, until);
      if (f.type === 'ZONE_ENTER' && f.zone_id !== null && zoneIndex(f.zone_id) >= 0) flashes.set(`zone:${zoneIndex(f.zone_id)}`, until);
    }
    if (p.fired.length) setTimeout(onChange, FLASH_MS + 20);
    onChange();
  });
  return {
    dots: () => [...trails].map(([id, trail]) => ({ id, p: trail.at(-1)!, trail })),
    flashes: () => flashes,
    received: () => received,
    close: () => source.close(),
  };
}
