/**
 * Every control store migration, in order. Forward-only: never edit or remove an entry once
 * released (the runner refuses to start when an applied migration's checksum changes); add a
 * new numbered file instead.
 */
import { auditLog } from './001-audit-log.js';
import { controlPlane } from './002-control-plane.js';
import { namedConnections } from './003-named-connections.js';
import { authHardening } from './004-auth-hardening.js';
import { storeIdentity } from './005-store-identity.js';
import { notifications } from './006-notifications.js';
import { hazardLog } from './007-hazard-log.js';
import { samplingReview } from './008-sampling-review.js';
import type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [auditLog, controlPlane, namedConnections, authHardening, storeIdentity, notifications, hazardLog, samplingReview];
