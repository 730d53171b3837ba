// Bench target: the emulator alone in this process.
import { startEmulator } from '../../packages/emulator/src/index.ts';

const emulator = await startEmulator({
  port: 0,
  ...(process.env.AUTO_LOGIN ? { autoLogin: process.env.AUTO_LOGIN } : {}),
});
console.log(`READY ${emulator.url}`);
process.once('SIGTERM', () => void emulator.close().then(() => process.exit(0)));
