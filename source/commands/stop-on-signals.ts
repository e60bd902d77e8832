import process from 'node:process';
import type {EngineControls} from '../engine/types.js';

/**
 * SIGINT and SIGTERM stop the run as `q` does: the first gracefully (in-flight requests finish), the
 * second aborts. Returns a function that removes the handlers.
 */
export function stopOnSignals(engine: Pick<EngineControls, 'stop'>): () => void {
	const onSignal = (signal: NodeJS.Signals) => {
		engine.stop(signal);
	};

	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	return () => {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
	};
}
