/** Debian's Chromium, installed by scripts/ensure-system-deps.mjs. */
export declare const CHROMIUM: string;
/** The flags every launch starts with; a test that needs more appends them. */
export declare const CHROMIUM_ARGS: readonly string[];
