import type {EngineEvent, OperatorAction} from '../engine/types.js';
import {formatDuration} from './format.js';

export type EventLine = {lane?: string; text: string; tone: 'info' | 'warn' | 'error'};

const causeText = {operator: 'operator', rate_limit: '429s', error_rate: 'error rate', increase: 'raised'} as const;

function operatorText(operator: OperatorAction): string {
	switch (operator.action) {
		case 'set_concurrency': return `${operator.lane}: concurrency set to ${operator.value} by the operator`;
		case 'set_adaptive': return `${operator.lane}: adaptive control ${operator.value ? 'on' : 'off'}`;
		case 'pause': return `${operator.lane}: paused by the operator`;
		case 'resume': return `${operator.lane}: resumed by the operator`;
		case 'skip_rest': return `${operator.lane}: rest skipped by the operator`;
		case 'stop': return operator.mode === 'graceful' ? 'stopping: no new requests; waiting for those in flight (again to abort)' : 'aborting requests in flight';
	}
}

/**
 * The human line for a notable event, or undefined for the frequent ones (attempts, results, 429s:
 * those are counted, and a view coalesces 429 bursts itself).
 */
export function eventText(event: EngineEvent): EventLine | undefined {
	switch (event.type) {
		case 'limit': {
			return {lane: event.lane, text: `${event.lane}: concurrency ${event.from} → ${event.to} (${causeText[event.cause]})`, tone: event.to < event.from ? 'warn' : 'info'};
		}

		case 'batch': {
			return event.phase === 'start'
				? {lane: event.lane, text: `${event.lane}: batch ${event.index}/${event.count} started: ${event.models.join(', ')}`, tone: 'info'}
				: {lane: event.lane, text: `${event.lane}: resting ${formatDuration(event.restMs)} before batch ${event.index}/${event.count}`, tone: 'info'};
		}

		case 'operator': {
			return {lane: 'lane' in event.operator ? event.operator.lane : undefined, text: operatorText(event.operator), tone: 'info'};
		}

		case 'lane_stopped': {
			return {lane: event.lane, text: `${event.lane}: stopped: ${event.reason}`, tone: 'error'};
		}

		case 'done': {
			return {text: `run ${event.status}`, tone: event.status === 'completed' ? 'info' : 'warn'};
		}

		default: {
			return undefined;
		}
	}
}
