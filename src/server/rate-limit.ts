/**
 * In-memory token buckets for the login route (and password changes): one per client address,
 * and one per (account, address) pair, so a single address spraying many accounts is slowed
 * and one address hammering one account is slowed harder, while a stranger's guesses never
 * throttle the owner signing in from elsewhere. The control plane's per-pair back-off still
 * applies underneath; this keeps the cost of guessing (scrypt per attempt) off the server.
 */
import { FerryError } from '../errors.js';

export interface BucketConfig {
  /** Requests allowed in a burst. */
  capacity: number;
  /** Tokens regained per second. */
  refillPerSecond: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

/** Token buckets keyed by string, pruned as they refill so memory stays bounded by active keys. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly config: BucketConfig,
    private readonly now: () => number = () => Date.now(),
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one token for `key`; returns 0 when allowed, else the seconds until one is available. */
  take(key: string): number {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.config.capacity, updated: t };
    b.tokens = Math.min(this.config.capacity, b.tokens + ((t - b.updated) / 1000) * this.config.refillPerSecond);
    b.updated = t;
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      return Math.ceil((1 - b.tokens) / this.config.refillPerSecond);
    }
    b.tokens -= 1;
    this.buckets.delete(key);
    this.buckets.set(key, b);
    if (this.buckets.size > this.maxKeys) this.prune(t);
    return 0;
  }

  // Full buckets carry no state worth keeping; if every bucket is busy, drop the oldest.
  private prune(t: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((t - b.updated) / 1000) * this.config.refillPerSecond >= this.config.capacity) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

/** Login limits: per address, and per account from one address. */
export interface LoginLimits {
  perIp: BucketConfig;
  /** Per (account, address) pair; a bucket per account alone would let strangers throttle the owner. */
  perAccount: BucketConfig;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perIp: { capacity: 20, refillPerSecond: 20 / 60 },
  perAccount: { capacity: 10, refillPerSecond: 10 / 300 },
};

/** Checks both login buckets for `account` (e.g. org and user name) from `addr`; throws a 429 error naming when to retry. */
export function loginGuard(limits: LoginLimits, now?: () => number): (addr: string, account: string) => void {
  const ip = new RateLimiter(limits.perIp, now);
  const pair = new RateLimiter(limits.perAccount, now);
  return (addr, account) => {
    const wait = Math.max(ip.take(addr), pair.take(`${account.trim().toLowerCase()}\u0000${addr}`));
    if (wait > 0) {
      throw new FerryError('conflict', 'rate_limit.login', `too many login attempts; wait ${wait} s before trying again`, [
        { severity: 'error', code: 'rate_limit.retry_after', path: 'retryAfter', message: String(wait) },
      ]);
    }
  };
}
