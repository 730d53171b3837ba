import type { Command } from 'commander';
import type { CommandEnd } from './exit-codes.js';

/** Registers one command (with its subcommands) on the program. */
export type Register = (program: Command, end: CommandEnd) => void;

export interface CommandEntry {
  /** The command's name on the command line. */
  name: string;
  /** Its register-*.ts, imported only when the command line needs it. */
  load: () => Promise<Register>;
  /** It reads the whole command tree (completion scripts list every command), so every command is registered. */
  readsTree?: true;
}

/**
 * Every command, in the order help lists them. A command line that starts with one of these names registers only
 * that command (a run of `tokenloop token` loads one register module, not all of them); anything else (help, a
 * typo, `completion`) registers them all. test/command-table.test.ts checks the table against the full program.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'login', load: async () => (await import('./commands/login/register-login.js')).registerLogin },
  { name: 'token', load: async () => (await import('./commands/token/register-token.js')).registerToken },
  {
    name: 'whoami',
    load: async () => (await import('./commands/accounts/register-whoami.js')).registerWhoami,
  },
  {
    name: 'accounts',
    load: async () => (await import('./commands/accounts/register-accounts.js')).registerAccounts,
  },
  {
    name: 'account',
    load: async () => (await import('./commands/accounts/register-account-use.js')).registerAccountUse,
  },
  { name: 'status', load: async () => (await import('./commands/status/register-status.js')).registerStatus },
  {
    name: 'logout',
    load: async () => (await import('./commands/accounts/register-logout.js')).registerLogout,
  },
  { name: 'decode', load: async () => (await import('./commands/decode/register-decode.js')).registerDecode },
  {
    name: 'profile',
    load: async () => (await import('./commands/profile/register-profile.js')).registerProfile,
  },
  { name: 'mail', load: async () => (await import('./commands/mail/register-mail.js')).registerMail },
  { name: 'doctor', load: async () => (await import('./commands/doctor/register-doctor.js')).registerDoctor },
  { name: 'agent', load: async () => (await import('./commands/agent/register-agent.js')).registerAgent },
  {
    name: 'completion',
    load: async () => (await import('./commands/completion/register-completion.js')).registerCompletion,
    readsTree: true,
  },
  { name: 'emulator', load: async () => (await import('./commands/register-emulator.js')).registerEmulator },
];

/** The commands a command line needs registered: the one it names, else all. */
export function commandsFor(argv: readonly string[]): readonly CommandEntry[] {
  const named = COMMANDS.find((c) => c.name === argv[0]);
  return named !== undefined && named.readsTree !== true ? [named] : COMMANDS;
}
