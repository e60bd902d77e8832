import type {PtySession} from '../helpers/pty-session.js';
import {isSelected, laneLine, laneNames, type LaneName} from './scenario.js';

const laneIndex = (name: LaneName) => laneNames.indexOf(name) + 1;

/** Waits for the live screen with all three lanes. */
export async function waitForLanes(session: PtySession): Promise<void> {
	await session.waitFor(() => laneNames.every(name => laneLine(session.screenText(), name) !== undefined), 10_000, 'the three lanes on the screen');
}

/**
 * Selects a lane with its number key and waits until the screen shows it selected. The digit is sent again
 * while it is not: a key typed before Ink switches the terminal to raw mode can be lost, and selecting is
 * idempotent. Selecting a lane other than the current one first proves the keys are read.
 */
export async function select(session: PtySession, name: LaneName): Promise<void> {
	let sentAt = Number.NEGATIVE_INFINITY;
	await session.waitFor(() => {
		if (isSelected(session.screenText(), name)) return true;
		if (performance.now() - sentAt > 500) {
			session.write(String(laneIndex(name)));
			sentAt = performance.now();
		}

		return false;
	}, 5000, `lane ${name} selected`);
}

/** The line under a lane's first line: "in flight N/C (min-max mode) · …". */
export function laneDetail(screen: string, name: LaneName): string {
	const lines = screen.split('\n');
	const first = lines.findIndex(line => line === laneLine(screen, name));
	return first === -1 ? '' : lines[first + 1] ?? '';
}

/** The most of `value()` seen, polling it for `windowMs`: a measurement over a window, not a wait for a condition. */
export async function sampleMax(value: () => number, windowMs: number): Promise<number> {
	let max = value();
	const end = performance.now() + windowMs;
	while (performance.now() < end) {
		await new Promise(resolve => setTimeout(resolve, 5));
		max = Math.max(max, value());
	}

	return max;
}

/** Presses q once (graceful stop) and waits for the child to exit. */
export async function quit(session: PtySession) {
	session.write('q');
	await session.waitFor(() => session.exit() !== undefined, 10_000, 'the child to exit after q');
	return session.exited;
}
