// The protections the controller config has off, logged as warnings: at every start, and when a reload
// turns one off, each saying what it exposes and how to turn it on (the wording is the config's,
// src/config/protections-off.ts, which doctor reports too). Off is allowed, never silent.
import type { Logger } from 'pino';
import type { ControllerConfig } from '../api/index.js';
import { type ProtectionOff, protectionsOff, turnedOff } from '../config/index.js';

function warn(logger: Logger, off: readonly ProtectionOff[], when: 'start' | 'reload'): void {
  for (const p of off) logger.warn({ field: p.field, when, fix: p.turnOn }, p.exposes);
}

/** At a start: every protection the config has off. */
export function warnProtectionsOff(logger: Logger, config: ControllerConfig): void {
  warn(logger, protectionsOff(config), 'start');
}

/** On a reload: the protections the new config turned off. */
export function warnProtectionsTurnedOff(
  logger: Logger,
  before: ControllerConfig,
  after: ControllerConfig,
): void {
  warn(logger, turnedOff(before, after), 'reload');
}
