/** Messages for people go to stderr (stdout carries data only); colour only on a TTY and never with NO_COLOR. */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function colourOn(stream: NodeJS.WriteStream = process.stderr): boolean {
  return stream.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

export function paint(
  code: 'green' | 'red' | 'yellow' | 'bold' | 'dim',
  text: string,
  stream: NodeJS.WriteStream = process.stderr,
): string {
  if (!colourOn(stream)) return text;
  const open = { green: 32, red: 31, yellow: 33, bold: 1, dim: 2 }[code];
  return `\u001b[${open}m${text}\u001b[0m`;
}

/** One status line rewritten in place on a TTY (progress); plain lines elsewhere, and only when asked. */
export function statusLine(): { update(text: string): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    update(text) {
      if (!tty) return;
      process.stderr.write(`\r\u001b[2K${text}`);
      shown = true;
    },
    done() {
      if (tty && shown) process.stderr.write('\r\u001b[2K');
      shown = false;
    },
  };
}

/** An AbortSignal that fires on Ctrl-C / SIGTERM (for waits the user may give up on). */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    },
  };
}
