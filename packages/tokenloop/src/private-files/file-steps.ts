import { type Stats, chmodSync, lstatSync, mkdirSync, promises as fs, readlinkSync } from 'node:fs';

/**
 * S125: one check, two ways to run it. A private-file check (S80–S83) is written once, as a generator that
 * yields each file-system call it makes (`const st = yield io.lstat(path)`). `runAsync` runs it with promises
 * (every package, everywhere); `runSync` runs it with the synchronous calls, for a short-lived process that
 * must start fast (the CLI's `token` fast path). Same rules, same order, same refusals — by construction.
 */
export type Steps<T> = Generator<unknown, T, unknown>;

/** Run `steps` with the synchronous file-system calls (each yielded value is already the result). */
export function runSync<T>(steps: Steps<T>): T {
  let next = steps.next();
  while (!next.done) next = steps.next(next.value);
  return next.value;
}

/** Run `steps` with promises: each yielded promise is awaited, a rejection is thrown where it was yielded. */
export async function runAsync<T>(steps: Steps<T>): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    let value: unknown;
    try {
      value = await next.value;
    } catch (err) {
      next = steps.throw(err);
      continue;
    }
    next = steps.next(value);
  }
  return next.value;
}

/** The calls on folders a check makes: each returns its result (`folderIoSync`) or a promise of it (`folderIo`). */
export interface FolderIo {
  lstat(path: string): Stats | Promise<Stats>;
  readlink(path: string): string | Promise<string>;
  mkdir(path: string, mode: number): string | undefined | Promise<string | undefined>;
  chmod(path: string, mode: number): void | Promise<void>;
}

export const folderIo: FolderIo = {
  lstat: (path) => fs.lstat(path),
  readlink: (path) => fs.readlink(path),
  mkdir: (path, mode) => fs.mkdir(path, { recursive: true, mode }),
  chmod: (path, mode) => fs.chmod(path, mode),
};

export const folderIoSync: FolderIo = {
  lstat: (path) => lstatSync(path),
  readlink: (path) => readlinkSync(path),
  mkdir: (path, mode) => mkdirSync(path, { recursive: true, mode }),
  chmod: (path, mode) => chmodSync(path, mode),
};
