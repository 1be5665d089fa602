/** Below this many incidents a figure says "Not enough data" instead of a number. */
export const MIN_SAMPLE = 5;
