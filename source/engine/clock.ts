/** Time source for everything that waits or measures, so tests can drive time by hand. */
export type Clock = {
	/** Milliseconds on a monotonic-enough scale (only differences matter). */
	now(): number;
	setTimeout(callback: () => void, ms: number): Timer;
	clearTimeout(timer: Timer): void;
};

export type Timer = {unref?(): unknown} | number | undefined;

export const systemClock: Clock = {
	now: () => performance.now(),
	setTimeout: (callback, ms) => setTimeout(callback, Math.max(0, ms)),
	clearTimeout(timer) {
		clearTimeout(timer as NodeJS.Timeout);
	},
};

/** Resolves after `ms` on the given clock; rejects with the signal's reason if aborted first. */
export async function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) throw signal.reason;
	await new Promise<void>((resolve, reject) => {
		const onAbort = () => {
			clock.clearTimeout(timer);
			reject(signal!.reason);
		};

		const timer = clock.setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, {once: true});
	});
}
