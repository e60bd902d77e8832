import type {RunStatus} from '../engine/types.js';

/** Exit codes: a contract relied on by scripts. */
export const exitCodes = {
	completed: 0,
	unexpected: 1,
	badInput: 2,
	interrupted: 3,
	incomplete: 4,
} as const;

export function exitCodeFor(status: RunStatus): number {
	return exitCodes[status];
}
