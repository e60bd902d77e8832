/** A 32-bit hash of a string (FNV-1a with a final avalanche), stable across runs and platforms. */
export function hash32(text: string): number {
	let hash = 0x81_1C_9D_C5;
	for (let index = 0; index < text.length; index++) {
		hash ^= text.charCodeAt(index);
		hash = Math.imul(hash, 0x01_00_01_93);
	}

	// FNV alone leaves the low bits of similar strings alike; mix them (murmur3's finaliser).
	hash ^= hash >>> 16;
	hash = Math.imul(hash, 0x85_EB_CA_6B);
	hash ^= hash >>> 13;
	hash = Math.imul(hash, 0xC2_B2_AE_35);
	hash ^= hash >>> 16;
	return hash >>> 0;
}

/** A number in [0, 1) fixed by the text. */
export function hashUnit(text: string): number {
	return hash32(text) / 2 ** 32;
}

/** A seeded generator of numbers in [0, 1) (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6D_2B_79_F5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
	};
}
