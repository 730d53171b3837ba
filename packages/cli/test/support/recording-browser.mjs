#!/usr/bin/env node
// A "system browser" for tests that only notes the URL it was asked to open (in TL_BROWSER_URL_FILE); the test
// then opens it itself. Exits 0, as an opener that started a browser does.
import { writeFileSync } from 'node:fs';

writeFileSync(process.env.TL_BROWSER_URL_FILE, process.argv[2] ?? '');
