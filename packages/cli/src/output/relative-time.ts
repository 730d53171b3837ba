/** A duration from now as people say it: `in 52 min`, `3 s ago`, `in 1.5 h`, `2 days ago`. */
export function relativeTime(ms: number): string {
  const abs = Math.abs(ms) / 1000;
  const text =
    abs < 90
      ? `${Math.round(abs)} s`
      : abs < 5400
        ? `${Math.round(abs / 60)} min`
        : abs < 172_800
          ? `${(abs / 3600).toFixed(1)} h`
          : `${Math.round(abs / 86_400)} days`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}
