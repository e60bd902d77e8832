import type {SimulateConfig} from '../../config/schema.js';
import type {Clock} from '../../engine/clock.js';
import type {ClientTarget} from '../chat-client.js';

/** One simulated provider: its name (the URL prefix), its models and how it behaves. */
export type SimulatedProviderSpec = {
	name: string;
	/** Model name (as in the config and results) -> name sent to the API (model id or Azure deployment). */
	models: Map<string, string>;
	simulate: SimulateConfig;
};

export type SimulatorOptions = {
	/** 0 (default) picks a free port. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** Multiplies latencies, outage times and Retry-After; divides rps. 0.01 runs 100x faster. Default 1. */
	timeScale?: number;
	/** Seed of the random latencies and errors, so runs are reproducible. Default 1. */
	seed?: number;
	/** Time source for latencies, the token buckets and outages. Default: the system clock. */
	clock?: Clock;
};

/** Counts for one provider since the start (or the last resetStats). */
export type SimStats = {
	/** Requests holding a slot of the provider's concurrency budget now. */
	inFlight: number;
	/** The most that ever held a slot at once. */
	maxInFlight: number;
	/** Every request that reached the provider's path, whatever came of it. */
	requests: number;
	/** Answered 200. */
	served: number;
	/** Answered 429 (concurrency cap or token bucket). */
	rateLimited: number;
	/** Answered 5xx (random errors and outages). */
	errors: number;
	/** Answered 401. */
	unauthorized: number;
};

/** One request as the simulator saw it. Times are ms since the simulator started, on its clock. */
export type SimRequestLog = {
	provider: string;
	/** The config model name (the API name when it is unknown). */
	model: string;
	prompt: string;
	system?: string;
	/** HTTP status answered; 499 when the client went away first. */
	status: number;
	startedAt: number;
	endedAt: number;
	/** Requests of the provider holding a slot when this one arrived. */
	inFlightAtStart: number;
};

/** A running simulator: a real HTTP server speaking the OpenAI and Azure OpenAI chat APIs. */
export type Simulator = {
	/** Base URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
	url: string;
	/** Per provider: how a ChatClient reaches it, with the key the simulator accepts. */
	targets: Map<string, ClientTarget>;
	/** Counts for one provider; throws for an unknown name. */
	stats(provider: string): SimStats;
	log(): SimRequestLog[];
	/** Zeroes counts (except inFlight) and empties the log. */
	resetStats(): void;
	/** Stops listening, ends in-flight requests and clears timers. */
	close(): Promise<void>;
};
