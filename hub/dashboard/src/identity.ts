/**
 * Cross-camera identity on the dashboard: which purchases and funnel stages needed a link between cameras, which were
 * counted without one, and which sales were not counted and why. Shown only where it matters (a store whose till or
 * zones have cameras of their own); a single-camera store shows nothing extra. Pure text, tested in Node.
 */
import type { StageIdentity } from '../../analytics/funnel.js';
import type { StoreMetrics } from './api.js';
import { integer } from './format.js';

const plural = (n: number, one: string, many: string) => `${integer(n)} ${n === 1 ? one : many}`;

/** The note under the KPI tiles, or null when identity played no part in the window's figures. */
export function identityNote(m: Pick<StoreMetrics, 'identity' | 'uncounted_transactions'>): string | null {
  const id = m.identity;
  const un = m.uncounted_transactions;
  if (!id || !un) return null;
  const parts: string[] = [];
  if (id.purchased_linked + id.purchased_unlinked > 0) {
    parts.push(`Purchases seen by another camera than the entrance: ${integer(id.purchased_linked)} linked to their entrance visitor, ${integer(id.purchased_unlinked)} counted without a link.`);
  }
  if (id.linked_visitors > 0) parts.push(`${plural(id.linked_visitors, 'visitor', 'visitors')} linked across cameras.`);
  if (un.entered_before_window > 0) parts.push(`${plural(un.entered_before_window, 'sale', 'sales')} went to shoppers who entered before this window (not counted here).`);
  if (un.beyond_visitors > 0) {
    parts.push(`${plural(un.beyond_visitors, 'sale', 'sales')} by till-camera customers exceed the visitors counted at the entrance (not counted; is the entrance camera offline?).`);
  }
  return parts.length ? parts.join(' ') : null;
}

/** "3 linked · 2 without a link" under a funnel stage, or "" when the stage needed no link. */
export function stageIdentityText(s: StageIdentity | undefined): string {
  if (!s || s.linked + s.unlinked === 0) return '';
  return `${integer(s.linked)} linked · ${integer(s.unlinked)} without a link`;
}

/** Writes the note (hidden when there is nothing to say); `data-*` keep the raw numbers for tests. */
export function renderIdentity(root: HTMLElement, m: StoreMetrics): void {
  const text = identityNote(m);
  root.textContent = text ?? '';
  root.hidden = text === null;
  root.dataset.purchasedLinked = String(m.identity?.purchased_linked ?? 0);
  root.dataset.purchasedUnlinked = String(m.identity?.purchased_unlinked ?? 0);
}
