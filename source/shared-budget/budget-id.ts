import {createHash} from 'node:crypto';
import type {Config} from '../config/schema.js';

/**
 * The budget each provider spends: its `budget` id, else its endpoint (Azure) or baseURL, so runners pointed
 * at one account share without naming it. A simulated provider spends the budget of the simulator that
 * serves it: its URL and the provider's name (runners share it only if they reach one simulator, as
 * `type: "openai"` providers pointed at `lanes sim` do).
 */
export function budgetIds(config: Config, simulatorUrl: string | undefined): Map<string, string> {
	const ids = new Map<string, string>();
	for (const [name, provider] of Object.entries(config.providers)) {
		const id = provider.budget
			?? (provider.type === 'azure' ? provider.endpoint : provider.type === 'openai' ? provider.baseURL : `${simulatorUrl ?? 'simulator'}/${name}`);
		ids.set(name, id.replace(/\/+$/, ''));
	}

	return ids;
}

/** Redis keys name a budget by a hash of its id: an endpoint (or a key someone put in a URL) stays out of Redis. */
export function budgetPrefix(id: string): string {
	return `lanes:budget:${createHash('sha256').update(id).digest('hex').slice(0, 24)}`;
}

/** The id as a report may show it: a URL without its user, password, query or fragment (a key someone put there). */
export function shownBudgetId(id: string): string {
	try {
		const url = new URL(id);
		url.username = '';
		url.password = '';
		url.search = '';
		url.hash = '';
		return url.toString().replace(/\/+$/, '');
	} catch {
		return id;
	}
}
