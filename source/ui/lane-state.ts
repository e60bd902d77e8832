import type {LaneSnapshot} from '../engine/types.js';
import {formatBatch, formatEta} from '../text/format.js';

export type StateLabel = {text: string; color: string};

/**
 * What a lane is doing, in words: "running", "paused", "resting 25s · batch 2/5",
 * "waiting out 429: 12s", "provider down · probing every 20s", "done", "stopped". `short` is for the one-line lane form.
 */
export function stateLabel(lane: LaneSnapshot, short = false): StateLabel {
	const wait = formatEta(lane.waitMs);
	switch (lane.state) {
		case 'running': {
			// Paused by the operator, the engine not yet caught up: say so rather than "running".
			if (lane.paused) return {text: short ? 'pausing' : `pausing, ${lane.inFlight} finishing`, color: 'yellow'};
			return {text: 'running', color: 'green'};
		}

		case 'paused': return {text: lane.inFlight > 0 && !short ? `paused, ${lane.inFlight} finishing` : 'paused', color: 'yellow'};
		case 'resting': {
			if (!lane.batch) return {text: `resting ${wait}`, color: 'cyan'};
			return {text: short ? `resting ${wait} ${lane.batch.index}/${lane.batch.count}` : `resting ${wait} · ${formatBatch(lane.batch)}`, color: 'cyan'};
		}

		case 'probing': {
			const every = formatEta(lane.probeEveryMs);
			return {text: short ? `down · probe ${every}` : `provider down · probing every ${every}`, color: 'red'};
		}

		case 'cooling': return {text: short ? `429 wait ${wait}` : `waiting out 429: ${wait}`, color: 'magenta'};
		case 'stopping': return {text: short ? 'stopping' : `stopping, ${lane.inFlight} in flight`, color: 'yellow'};
		case 'done': return {text: 'done', color: 'blue'};
		case 'stopped': return {text: 'stopped', color: 'red'};
	}
}

/** The budget's other runners, when the lane shares one: " · 3 runners · 9/12 in flight across all". */
export function sharedLabel(lane: LaneSnapshot): string {
	const {shared} = lane;
	if (!shared) return '';
	if (!shared.connected) return ` · Redis unreachable: alone at ${lane.inFlight} in flight`;
	return ` · ${shared.runners} runner${shared.runners === 1 ? '' : 's'} · ${shared.inFlight}/${shared.cap} in flight across all`;
}
