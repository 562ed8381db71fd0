// The numpy/scipy reference fixtures, in Node, on both builds.
import { describe, it } from 'vitest';
import { createDsp } from '../src/index.js';
import { referenceChecks } from './shared/reference-checks.js';

for (const simd of [true, false]) {
  describe(simd ? 'SIMD build' : 'scalar build', async () => {
    const dsp = await createDsp({ simd });
    for (const check of referenceChecks(dsp)) it(check.name, () => check.run());
  });
}
