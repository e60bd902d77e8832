import process from 'node:process';
import type {Engine} from '../engine/engine.js';

/**
 * Without a terminal there are no keys to resume a lane the operator paused (and a resumed run keeps it
 * paused): once nothing else is left to do, stop so the run ends as interrupted instead of waiting forever.
 * Returns a function that stops watching.
 */
export function stopWhenOnlyPausedLanesRemain(engine: Engine): () => void {
	const paused = engine.snapshot().lanes.filter(lane => lane.paused).map(lane => lane.name);
	if (paused.length === 0) return () => {};
	process.stderr.write(`lanes: ${paused.join(', ')} paused, as the operator left it; without a terminal it stays paused (resume on a terminal and press p)\n`);
	const check = () => {
		const lanes = engine.snapshot().lanes;
		const idle = lanes.every(lane => lane.state === 'done' || lane.state === 'stopped' || (lane.paused && lane.inFlight === 0));
		if (idle) {
			unsubscribe();
			engine.stop();
		}
	};

	const unsubscribe = engine.subscribe(event => {
		if (event.type === 'state') check();
	});
	queueMicrotask(check);
	return unsubscribe;
}
