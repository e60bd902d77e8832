/** Field names that hold a secret: `apiKey` and its spellings. `apiKeyEnv` (the variable's name) is not one. */
const secretName = /^api[-_]?key$/i;

/**
 * The config as JSON without any field named apiKey, at any depth. The caller already strips keys; this is
 * the second line of defence, because the audit trail outlives the run and gets copied around.
 */
export function configToJson(config: unknown): string {
	return JSON.stringify(config ?? null, (key, value: unknown) => (secretName.test(key) ? undefined : value));
}
