// Loaded with `node --require` by tests that compare two runs of the CLI byte for byte: both runs see the same
// wall-clock time, TL_TEST_NOW (epoch ms), so that times they print (`expiresIn`, a quarantined file's name)
// and freshness decisions agree. Without TL_TEST_NOW it does nothing.
'use strict';
const pinned = Number(process.env.TL_TEST_NOW);
if (Number.isFinite(pinned) && pinned > 0) {
  const RealDate = Date;
  globalThis.Date = class PinnedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(pinned);
      else super(...args);
    }
    static now() {
      return pinned;
    }
  };
}
