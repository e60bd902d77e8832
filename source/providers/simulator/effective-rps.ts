/** Azure OpenAI grants 6 requests per minute for every 1,000 tokens per minute of quota. */
export const azureRpmPerThousandTpm = 6;

/**
 * Requests per second a simulated provider accepts: its own `rps`, or for the Azure dialect with a token
 * quota, the rate Azure derives from it, or 10.
 */
export function effectiveRps(limits: {dialect: 'openai' | 'azure'; rps?: number; tpm?: number}): number {
	if (limits.rps !== undefined) return limits.rps;
	if (limits.dialect === 'azure' && limits.tpm !== undefined) return derivedRps(limits.tpm);
	return 10;
}

/** Requests per second Azure allows for a tokens-per-minute quota. */
export function derivedRps(tpm: number): number {
	return (tpm / 1000) * azureRpmPerThousandTpm / 60;
}
