// Sliding windows over request arrival times, one per limit, as MAX counts
// "more than 20 request messages a second or 200 a minute" per IP.

export class RateLimiter {
  // limits: [{ windowMs, max }]
  constructor(limits) {
    this.limits = limits;
    this.longest = Math.max(0, ...limits.map((l) => l.windowMs));
    this.times = [];
  }

  // Records a request at `now`; true when it exceeds a limit.
  record(now) {
    this.times.push(now);
    while (this.times.length > 0 && this.times[0] <= now - this.longest) this.times.shift();
    return this.limits.some(({ windowMs, max }) => this.countSince(now - windowMs) > max);
  }

  countSince(after) {
    // Times are in arrival order: count from the end until one is too old.
    let count = 0;
    for (let i = this.times.length - 1; i >= 0 && this.times[i] > after; i--) count++;
    return count;
  }
}

export function rateLimits({ perSecond, perMinute }) {
  const limits = [];
  if (perSecond) limits.push({ windowMs: 1000, max: perSecond });
  if (perMinute) limits.push({ windowMs: 60_000, max: perMinute });
  return limits;
}
