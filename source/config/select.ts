import {quote} from './quote.js';
import {problemsError} from '../errors/input-error.js';
import {modelNames, type Config, type ProviderConfig} from './schema.js';
import {didYouMean} from './suggest.js';

/** What `--models a,b` and `--providers x,y` ask for, split at the commas. Absent: everything. */
export type Selection = {
	models?: readonly string[];
	providers?: readonly string[];
};

/**
 * The config narrowed to the selected providers and models, in config order; a provider left with no model
 * is dropped. Throws InputError for an unknown name (with the closest known one), an empty list, or a model
 * whose provider `--providers` leaves out. Model names are unique across providers (the schema sees to it).
 */
export function selectModels(config: Config, selection: Selection): Config {
	const ownerOf = new Map<string, string>();
	for (const [name, provider] of Object.entries(config.providers)) {
		for (const model of modelNames(provider.models)) ownerOf.set(model, name);
	}

	const problems: string[] = [];
	const providers = wanted('--providers', 'provider', selection.providers, Object.keys(config.providers), problems);
	const models = wanted('--models', 'model', selection.models, [...ownerOf.keys()], problems);
	if (providers && models) {
		for (const model of models) {
			const owner = ownerOf.get(model)!;
			if (!providers.has(owner)) problems.push(`--models: model "${model}" is in provider "${owner}", which --providers leaves out`);
		}
	}

	if (problems.length > 0) throw problemsError(problems);
	const selected: Record<string, ProviderConfig> = {};
	for (const [name, provider] of Object.entries(config.providers)) {
		if (providers && !providers.has(name)) continue;
		const kept = models ? keepModels(provider.models, models) : provider.models;
		if (kept) selected[name] = {...provider, models: kept};
	}

	return {...config, providers: selected};
}

/** The names a flag lists, checked against the known ones; undefined when the flag is absent. */
function wanted(flag: string, noun: string, list: readonly string[] | undefined, known: readonly string[], problems: string[]): Set<string> | undefined {
	if (list === undefined) return undefined;
	const names = list.map(name => name.trim()).filter(name => name !== '');
	if (names.length === 0) {
		problems.push(`${flag}: expected a comma-separated list of ${noun} names, got nothing`);
		return new Set();
	}

	for (const name of new Set(names)) {
		if (!known.includes(name)) problems.push(`${flag}: unknown ${noun} ${quote(name)}${didYouMean(name, known)} (known: ${known.join(', ')})`);
	}

	return new Set(names);
}

/** The models of one provider that are selected, in the same form (list or object); undefined when none. */
function keepModels(models: ProviderConfig['models'], keep: ReadonlySet<string>): ProviderConfig['models'] | undefined {
	if (Array.isArray(models)) {
		const kept = models.filter(name => keep.has(name));
		return kept.length > 0 ? kept : undefined;
	}

	const kept = Object.entries(models).filter(([name]) => keep.has(name));
	return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}
