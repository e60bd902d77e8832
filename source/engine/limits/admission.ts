/**
 * A request out this many network round trips (within the bounds below) was admitted: a provider takes or
 * refuses a request when it arrives, and a refusal would have been back by then.
 */
const admissionRoundTrips = 8;
const admissionBoundsMs = {min: 5, max: 2000};

/** How long a request must be out, unrefused, to count as admitted, given the network round trip. */
export function admissionMs(roundTripMs: number): number {
	return Math.max(admissionBoundsMs.min, Math.min(admissionBoundsMs.max, admissionRoundTrips * roundTripMs));
}
