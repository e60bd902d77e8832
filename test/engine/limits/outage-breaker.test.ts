import {describe, expect, it} from 'vitest';
import {OutageBreaker} from '../../../source/engine/limits/outage-breaker.js';

const options = {failures: 3, maxProbeMs: 10_000};

describe('OutageBreaker', () => {
	it('opens after consecutive failures only, and a success in between resets the count', () => {
		const breaker = new OutageBreaker(options, () => 0.5);
		expect(breaker.onFailure(0, false, 100)).toBe(false);
		expect(breaker.onFailure(1, false, 100)).toBe(false);
		breaker.onSuccess(2);
		expect(breaker.onFailure(3, false, 100)).toBe(false);
		expect(breaker.onFailure(4, false, 100)).toBe(false);
		expect(breaker.state).toBe('closed');
		expect(breaker.onFailure(5, false, 100)).toBe(true);
		expect(breaker.state).toBe('open');
	});

	it('trips after fewer failures in a row when the recent record holds almost none, never fewer than 3', () => {
		const failuresInARowToTrip = (recentFailures: number, samples = 30): number => {
			const breaker = new OutageBreaker({failures: 5, maxProbeMs: 10_000}, () => 0.5);
			for (let streak = 0; streak < 10; streak++) {
				// The lane's window holds the background failures and this run's earlier ones.
				if (breaker.onFailure(streak, false, 100, streak, {failures: recentFailures + streak, samples: samples + streak})) return streak + 1;
			}

			return Number.POSITIVE_INFINITY;
		};

		expect(failuresInARowToTrip(0)).toBe(3);
		const tripped = new OutageBreaker({failures: 5, maxProbeMs: 10_000}, () => 0.5);
		for (let streak = 0; streak < 3; streak++) tripped.onFailure(streak, false, 100, streak, {failures: streak, samples: 30 + streak});
		expect(tripped.state).toBe('open');
		// What the lane's "provider down after N failures in a row" says.
		expect(tripped.failuresInARow).toBe(3);
		expect(failuresInARowToTrip(1)).toBe(4);
		// A provider failing a tenth of its requests anyway: five in a row, the configured number.
		expect(failuresInARowToTrip(3)).toBe(5);
		expect(failuresInARowToTrip(10)).toBe(5);
		// Too little known (a run's start, just after an outage): the configured number.
		expect(failuresInARowToTrip(0, 5)).toBe(5);
		const strict = new OutageBreaker({failures: 2, maxProbeMs: 10_000}, () => 0.5);
		expect(strict.onFailure(0, false, 100, 0, {failures: 0, samples: 30})).toBe(false);
		expect(strict.onFailure(1, false, 100, 1, {failures: 1, samples: 31})).toBe(true);
	});

	it('while open lets exactly one probe through at the probe time, from twice the healthy latency', () => {
		const breaker = new OutageBreaker(options, () => 0.5);
		for (let at = 0; at < 3; at++) breaker.onFailure(at, false, 100);
		expect(breaker.probeEveryMs).toBe(200);
		expect(breaker.allows(100)).toBe(false);
		expect(breaker.allows(202)).toBe(true);
		expect(breaker.noteSent(202)).toBe(true);
		expect(breaker.state).toBe('probing');
		expect(breaker.allows(203)).toBe(false);
		expect(breaker.noteSent(203)).toBe(false);
	});

	it('a failed probe doubles the interval up to the cap (15 healthy latencies, within maxProbeMs); late failures of old requests do not', () => {
		const breaker = new OutageBreaker(options, () => 0.5);
		for (let at = 0; at < 3; at++) breaker.onFailure(at, false, 100);
		const intervals: number[] = [];
		let now = 2;
		for (let probe = 0; probe < 8; probe++) {
			now = breaker.nextProbeAt!;
			breaker.noteSent(now);
			// A request sent before the outage fails meanwhile: it is no probe and changes nothing.
			breaker.onFailure(now, false, 100);
			breaker.onFailure(now + 1, true, 100);
			intervals.push(breaker.probeEveryMs!);
		}

		expect(intervals).toEqual([400, 800, 1500, 1500, 1500, 1500, 1500, 1500]);
		const capped = new OutageBreaker({failures: 1, maxProbeMs: 500}, () => 0.5);
		capped.onFailure(0, false, 1000);
		expect(capped.probeEveryMs).toBe(500);
	});

	it('in a long outage the cap grows with the square root of the time down, past 8 caps, within maxProbeMs', () => {
		const probeIntervalsUntil = (maxProbeMs: number, untilMs: number): Array<{downFor: number; every: number}> => {
			const breaker = new OutageBreaker({failures: 3, maxProbeMs}, () => 0.5);
			for (let at = 0; at < 3; at++) breaker.onFailure(at, false, 100);
			const seen: Array<{downFor: number; every: number}> = [];
			while (breaker.nextProbeAt! < untilMs) {
				const now = breaker.nextProbeAt!;
				breaker.noteSent(now);
				breaker.onFailure(now, true, 100, now);
				seen.push({downFor: now - 2, every: breaker.probeEveryMs!});
			}

			return seen;
		};

		const long = probeIntervalsUntil(100_000, 200_000);
		// Up to 8 caps (12 s of 1.5 s caps) down, the plain cap.
		for (const {every} of long.filter(probe => probe.downFor <= 12_000)) expect(every).toBeLessThanOrEqual(1500);
		// 48 s down is 32 caps: twice the cap; 192 s, four times.
		const at = (ms: number) => long.find(probe => probe.downFor >= ms)!;
		expect(at(48_000).every).toBeGreaterThanOrEqual(3000);
		expect(at(48_000).every).toBeLessThan(3300);
		expect(at(190_000).every).toBeGreaterThanOrEqual(5900);
		expect(at(190_000).every).toBeLessThan(6100);
		// Fewer probes than at the plain cap: about a third fewer over 200 s.
		expect(long.length).toBeLessThan(0.75 * (200_000 / 1500));
		for (const {every} of probeIntervalsUntil(4000, 200_000)) expect(every).toBeLessThanOrEqual(4000);
	});

	it('the first success closes it and counts the time it was down', () => {
		const breaker = new OutageBreaker(options, () => 0.5);
		for (let at = 0; at < 3; at++) breaker.onFailure(at, false, 100);
		breaker.noteSent(breaker.nextProbeAt!);
		expect(breaker.onSuccess(1002)).toBe(true);
		expect(breaker.state).toBe('closed');
		expect(breaker.counters(5000)).toEqual({outages: 1, downMs: 1000, probes: 1});
		expect(breaker.onSuccess(1003)).toBe(false);
	});

	it('an answer to a request sent before the failures began neither reopens it nor resets the count', () => {
		const breaker = new OutageBreaker(options, () => 0.5);
		for (let at = 10; at < 13; at++) breaker.onFailure(at, false, 100, at - 5);
		expect(breaker.state).toBe('open');
		// Admitted before the outage, answered during it.
		expect(breaker.onSuccess(20, 1)).toBe(false);
		expect(breaker.state).toBe('open');
		breaker.noteSent(breaker.nextProbeAt!);
		expect(breaker.onSuccess(breaker.nextProbeAt! + 50, breaker.nextProbeAt!)).toBe(true);
		// Closed, two failures, then an old answer: the run of failures goes on and the third trips it.
		breaker.onFailure(1000, false, 100, 990);
		breaker.onFailure(1001, false, 100, 991);
		expect(breaker.onSuccess(1002, 900)).toBe(false);
		expect(breaker.onFailure(1003, false, 100, 992)).toBe(true);
	});

	it('down, only an answer to a request sent after the last failing one reopens it: a random failure just before an outage does not open a gap', () => {
		const breaker = new OutageBreaker(options, () => 0.5);
		// A random 5xx of a request sent at 0, then the outage fails those sent from 10 on.
		breaker.onFailure(5, false, 100, 0);
		breaker.onFailure(14, false, 100, 10);
		expect(breaker.onFailure(15, false, 100, 11)).toBe(true);
		// Sent at 8, before the outage, admitted and answered inside it: after the first failure's request, before the last.
		expect(breaker.onSuccess(16, 8)).toBe(false);
		expect(breaker.state).toBe('open');
		// Sent after the last failing one: the provider answers requests sent now.
		expect(breaker.onSuccess(17, 12)).toBe(true);
		// Closed, the same answer still resets the run of failures: the provider served a request sent after it began.
		breaker.onFailure(100, false, 100, 90);
		breaker.onFailure(101, false, 100, 95);
		breaker.onSuccess(102, 92);
		expect(breaker.failuresInARow).toBe(0);
	});

	it('jitters probe times by up to ±20%', () => {
		const early = new OutageBreaker(options, () => 0);
		const late = new OutageBreaker(options, () => 0.999);
		for (const breaker of [early, late]) for (let at = 0; at < 3; at++) breaker.onFailure(0, false, 1000);
		expect(early.nextProbeAt).toBeCloseTo(1600);
		expect(late.nextProbeAt).toBeCloseTo(2400, -1);
	});
});
