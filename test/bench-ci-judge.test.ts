// The CI performance gate's pass/fail rules (bench/ci/judge.ts) and the committed floors file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { judge, limitOf, parseFloors } from '../bench/ci/judge';

describe('bench:ci judge', () => {
  it('fails a min check only below floor x (1 - tolerance)', () => {
    const spec = { what: 'ratio', kind: 'min' as const, value: 0.68, tolerance: 0.25 };
    assert.equal(limitOf(spec), 0.51);
    assert.equal(judge('x', spec, 0.52).passed, true);
    assert.equal(judge('x', spec, 0.5).passed, false);
    assert.match(judge('x', spec, 0.5).reason, /0\.500 < limit 0\.510 \(floor 0\.680 -25 %\)/);
  });

  it('fails a max check only above ceiling x (1 + tolerance) + slack', () => {
    const spec = { what: 'ms', kind: 'max' as const, value: 0.5, slack: 1 };
    assert.equal(judge('x', spec, 1.5).passed, true);
    assert.equal(judge('x', spec, 1.6).passed, false);
  });

  it('fails what was not measured', () => {
    assert.equal(judge('x', { what: 'r', kind: 'min', value: 1 }, Number.NaN).passed, false);
  });

  it('accepts the committed floors and rejects malformed ones', () => {
    const floors = parseFloors(readFileSync(join(__dirname, '..', '..', 'bench', 'floors.json'), 'utf8'));
    assert.ok(Object.keys(floors.checks).length >= 6);
    assert.throws(() => parseFloors('{"checks":{"a":{"kind":"min"}}}'), /numeric value/);
    assert.throws(() => parseFloors('{"checks":{"a":{"kind":"min","value":1,"tolerance":2}}}'), /tolerance/);
  });
});
