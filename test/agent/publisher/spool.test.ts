import { expect } from 'chai';
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../common/logger.js';
import { openSpool } from '../../../agent/publisher/spool.js';

describe('agent/publisher/spool', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'spool-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const open = (maxBytes = 1 << 20) => openSpool({ dir, maxBytes, logger: silentLogger() });
  const text = (r: { payload: Buffer } | null) => r?.payload.toString();

  it('returns batches in order and forgets each one when acked', () => {
    const s = open();
    s.append('[1]', 1);
    s.append('[2,3]', 2);
    expect(text(s.peek())).to.equal('[1]');
    expect(s.depth()).to.deep.include({ batches: 2, events: 3 });
    s.ack(s.peek()!.seq);
    expect(text(s.peek())).to.equal('[2,3]');
    s.ack(s.peek()!.seq);
    expect(s.peek()).to.equal(null);
    expect(s.fileBytes()).to.equal(0);
    s.close();
  });

  it('survives a restart: unacked batches come back in order, acked ones do not', () => {
    let s = open();
    const a = s.append('["a"]', 1);
    s.append('["b"]', 1);
    s.append('["c"]', 1);
    s.ack(a);
    s.close();
    s = open();
    expect(text(s.peek())).to.equal('["b"]');
    s.ack(s.peek()!.seq);
    const d = s.append('["d"]', 1);
    expect(d).to.be.greaterThan(a + 2);
    expect(text(s.peek())).to.equal('["c"]');
    s.close();
    s = open();
    expect(s.depth().batches).to.equal(2);
    s.close();
  });

  it('cuts a torn last line left by a kill in the middle of an append', () => {
    let s = open();
    s.append('["a"]', 1);
    s.close();
    appendFileSync(join(dir, 'spool.log'), '2 1 ["half');
    s = open();
    expect(s.depth().batches).to.equal(1);
    s.append('["b"]', 1);
    s.close();
    s = open();
    const seen: string[] = [];
    for (let r = s.peek(); r; r = s.peek()) (seen.push(text(r)!), s.ack(r.seq));
    expect(seen).to.deep.equal(['["a"]', '["b"]']);
    s.close();
  });

  it('drops the oldest batches past maxBytes, counts them, and remembers the drop across a restart', () => {
    let s = open(100);
    const payload = JSON.stringify(['x'.repeat(30)]); // ~40 bytes a line
    for (let i = 0; i < 5; i++) s.append(payload.replace('x', String(i)), 1);
    expect(s.depth().bytes).to.be.at.most(100);
    expect(s.dropped().events).to.equal(3);
    expect(text(s.peek())).to.contain('3');
    s.close();
    s = open(100);
    expect(s.depth().batches).to.equal(2);
    s.close();
  });

  it('compacts the file once acknowledged batches fill half of it', () => {
    const s = open();
    const seqs = Array.from({ length: 10 }, (_, i) => s.append(`[${'1,'.repeat(50)}${i}]`, 51));
    const full = statSync(join(dir, 'spool.log')).size;
    for (const q of seqs.slice(0, 6)) s.ack(q);
    expect(statSync(join(dir, 'spool.log')).size).to.be.lessThan(full / 2);
    expect(text(s.peek())).to.match(/6\]$/);
    s.close();
  });
});
