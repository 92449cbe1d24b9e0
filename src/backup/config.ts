/**
 * Where backups go and how long they stay: operator configuration only (flags and the
 * environment of the process), never anything a tenant or a contract sets.
 */
import path from 'node:path';
import { z } from 'zod';
import type { BackupPolicyInput } from '../control/plane.js';
import { FerryError } from '../errors.js';
import { BACKUP_KEY_ENV, requireBackupKey } from './key.js';

export const BACKUP_DIR_ENV = 'FERRY_BACKUP_DIR';
export const BACKUP_KEEP_ENV = 'FERRY_BACKUP_KEEP';
export const BACKUP_KEEP_DAYS_ENV = 'FERRY_BACKUP_KEEP_DAYS';

/** How many backups of one target to keep: the newest `keep`, and/or those younger than `keepDays`. A backup is deleted when either limit says so. */
export interface Retention {
  keep?: number;
  keepDays?: number;
}

/** A configured backup store: a directory and the key. */
export interface BackupStore {
  dir: string;
  key: Buffer;
  retention: Retention;
}

/** A project's backup policy, as the control plane stores it (src/control/notifications.ts): it never names a path or a key. */
export type BackupPolicy = BackupPolicyInput;

const positive = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, `${name} must be a positive number`)
    .transform(Number)
    .refine((n) => n > 0, `${name} must be a positive number`);

function retentionValue(name: string, raw: string | number | undefined, integer: boolean): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const parsed = (typeof raw === 'number' ? z.number().positive() : positive(name)).safeParse(raw);
  if (!parsed.success || (integer && !Number.isInteger(parsed.data))) {
    throw new FerryError('usage', 'backup.bad_retention', `${name} must be a positive ${integer ? 'whole number' : 'number'}`);
  }
  return parsed.data;
}

/** Flags and environment a backup store is read from. */
export interface BackupStoreInput {
  dir?: string;
  keep?: string | number;
  keepDays?: string | number;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Retention from flags, else the environment. */
export function retentionOf(input: Omit<BackupStoreInput, 'dir' | 'cwd'>): Retention {
  return {
    keep: retentionValue('--keep / FERRY_BACKUP_KEEP', input.keep ?? input.env[BACKUP_KEEP_ENV], true),
    keepDays: retentionValue('--keep-days / FERRY_BACKUP_KEEP_DAYS', input.keepDays ?? input.env[BACKUP_KEEP_DAYS_ENV], false),
  };
}

/** The configured store, or undefined when no directory is set; a directory without a key is a usage error. */
export function backupStoreOf(input: BackupStoreInput): BackupStore | undefined {
  const dir = input.dir ?? input.env[BACKUP_DIR_ENV];
  if (!dir) return undefined;
  if (!input.env[BACKUP_KEY_ENV]?.trim()) {
    throw new FerryError('usage', 'backup.no_key', `a backup directory is configured but ${BACKUP_KEY_ENV} is not set: backups are encrypted, set it to a 32-byte key (64 hex digits or base64)`);
  }
  return { dir: path.resolve(input.cwd, dir), key: requireBackupKey(input.env), retention: retentionOf(input) };
}

/** The backup directory, or a usage error saying how to configure one (listing needs no key). */
export function requireBackupDir(input: Pick<BackupStoreInput, 'dir' | 'env' | 'cwd'>): string {
  const dir = input.dir ?? input.env[BACKUP_DIR_ENV];
  if (!dir) throw new FerryError('usage', 'backup.no_dir', `no backup directory: give --backup-dir DIR or set ${BACKUP_DIR_ENV}`);
  return path.resolve(input.cwd, dir);
}

/** The store, or a usage error saying how to configure one (for the `ferry backup` commands). */
export function requireBackupStore(input: BackupStoreInput): BackupStore {
  requireBackupDir(input);
  return backupStoreOf(input)!;
}
