export type WaitOptions = {
	/** Fail after this long; default 30 s. */
	timeoutMs?: number;
	/** Pause between probes; default 5 ms. */
	intervalMs?: number;
	/** Checked after each unsuccessful probe: a reason (say, "the child exited") fails the wait at once. */
	abortIf?: () => string | undefined;
	/** Appended to the failure message (say, the child's output so far). */
	context?: () => string;
};

/**
 * Polls `probe` until it returns something other than undefined, null or false, and returns that. Fails after
 * `timeoutMs` naming `what` (instead of hoping a sleep was long enough), or at once when `abortIf()` gives a reason.
 */
export async function waitUntil<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, options: WaitOptions = {}): Promise<T> {
	const timeoutMs = options.timeoutMs ?? 30_000;
	const deadline = performance.now() + timeoutMs;
	const context = () => (options.context ? `\n${options.context()}` : '');
	for (;;) {
		const value = await probe();
		if (value !== undefined && value !== null && value !== false) return value;
		const abort = options.abortIf?.();
		if (abort) throw new Error(`gave up waiting for ${what}: ${abort}${context()}`);
		if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${context()}`);
		await new Promise(resolve => setTimeout(resolve, options.intervalMs ?? 5));
	}
}
